"""Rendering a `Reply` as plain text (console, CLI) and as the `ask --json` contract."""

from __future__ import annotations

import shlex
import textwrap
from datetime import tzinfo
from typing import Any

from bot import moments
from bot.commands.registry import Surface
from bot.reply import Reply, ReplyKind

WIDTH = 100


def render_text(
    reply: Reply, *, citations: bool = True, surface: Surface = Surface.console, zone: tzinfo | None = None
) -> str:
    """The reply as text; moments in `zone` (default: the local zone), suggestions as typed on `surface`."""
    write = moments.in_zone(zone)

    def text(value: str) -> str:
        return moments.write(value, write)

    title = text(reply.title)
    lines = [title, "=" * min(len(title), WIDTH)]
    if reply.description:
        for paragraph in text(reply.description).splitlines():
            lines += textwrap.wrap(paragraph, WIDTH) or [""]
    for number, item in enumerate(reply.items, 1):
        lines.append("")
        label = f"  [{item.certainty}]" if item.certainty else ""
        prefix = f"{number}. " if reply.kind in (ReplyKind.answer, ReplyKind.listing, ReplyKind.card) else "- "
        heading = text(item.title)
        if item.when is not None:
            heading = f"{write(item.when)} · {heading}"
        lines.append(f"{prefix}{heading}{label}")
        for paragraph in text(item.text).splitlines():
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
        lines += ["", "Try: " + " · ".join(suggestion(s, surface) for s in reply.suggestions)]
    if reply.footer:
        lines += ["", text(reply.footer)]
    return "\n".join(lines)


def suggestion(line: str, surface: Surface) -> str:
    """A suggested command as the reader types it there: `/who Dmitry Peskov` in the console,
    `briefbot who 'Dmitry Peskov'` on the command line."""
    if surface is not Surface.cli:
        return line
    name, _, argument = line.removeprefix("/").partition(" ")
    return f"briefbot {name} {shell_word(argument)}" if argument else f"briefbot {name}"


def shell_word(text: str) -> str:
    """The text as one shell word a reader can read: "Kim's journey" in double quotes, where
    shlex.quote would write 'Kim'"'"'s journey'; shlex.quote where double quotes would not do."""
    if "'" in text and not set(text) & set('"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def answer_json(query: str, reply: Reply) -> dict[str, Any]:
    """The `ask --json` contract: exactly these keys, best result first; suggestions as the CLI takes them.
    A refusal has "answered": false, and "results" then holds the related snippets offered, if any (not
    answers)."""
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
        "suggestions": [suggestion(s, Surface.cli) for s in reply.suggestions],
        "showing_results_for": reply.corrected,
        "not_covered": list(reply.uncovered),
        "reason": reply.reason,
    }
