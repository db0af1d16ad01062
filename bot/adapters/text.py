"""Rendering a `Reply` as plain text (console, CLI) and as the `ask --json` contract."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.reply import Reply, ReplyKind

WIDTH = 100


def render_text(reply: Reply, *, citations: bool = True) -> str:
    lines = [reply.title, "=" * min(len(reply.title), WIDTH)]
    if reply.description:
        lines += textwrap.wrap(reply.description, WIDTH) or [""]
    for number, item in enumerate(reply.items, 1):
        lines.append("")
        label = f"  [{item.certainty}]" if item.certainty else ""
        prefix = f"{number}. " if reply.kind in (ReplyKind.answer, ReplyKind.listing, ReplyKind.card) else "- "
        lines.append(f"{prefix}{item.title}{label}")
        for paragraph in item.text.splitlines():
            lines += textwrap.wrap(paragraph, WIDTH, initial_indent="   ", subsequent_indent="   ")
        if citations:
            for citation in item.citations:
                quote = " ".join(citation.quote.split())
                lines += textwrap.wrap(
                    f"[{citation.article}] “{quote}” — {citation.headline}",
                    WIDTH,
                    initial_indent="   source: ",
                    subsequent_indent="           ",
                )
    for item in reply.related:
        lines += ["", f"- {item.title}  (related, not an answer)"]
        lines += textwrap.wrap(item.text, WIDTH, initial_indent="   ", subsequent_indent="   ")
    if reply.suggestions:
        lines += ["", "Try: " + " · ".join(reply.suggestions)]
    if reply.footer:
        lines += ["", reply.footer]
    return "\n".join(lines)


def answer_json(query: str, reply: Reply) -> dict[str, Any]:
    """The `ask --json` contract: exactly these keys, best result first. A refusal has
    "answered": false, and "results" then holds the related snippets offered, if any (not answers)."""
    items = reply.items if reply.kind is ReplyKind.answer else reply.related
    return {
        "query": query,
        "answered": reply.kind is ReplyKind.answer,
        "results": [
            {
                "id": item.id,
                "text": item.text,
                "sources": [{"article": c.article, "quote": c.quote} for c in item.citations],
                "score": item.score if item.score is not None else 0.0,
            }
            for item in items
        ],
        "suggestions": list(reply.suggestions),
        "showing_results_for": reply.corrected,
    }
