"""/ask: a question answered from the briefing, or an honest "not covered" with suggestions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.answer.engine import Answer, Hit
from bot.answer.features import Candidate
from bot.chat_markup import clean
from bot.commands.items import error
from bot.limits import EMBED_TITLE, clip
from bot.reply import Item, Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router

# What is read of a question: far more than any question needs (Discord's /ask takes 300), and a
# bound on the engine's work whatever it reads (before its own limits, a 50,000-letter word took
# 3 s and 2.4 GB).
QUESTION_CHARS = 1000
# The words of a refusal echo the question's ("it says nothing about …"): a long question gets a
# clipped echo, not its whole text back.
REASON_CHARS = 400


# Told of every question: its reply (None when answering raised) and the seconds it took. The bot's
# /metrics (bot/metrics.py) listens while it serves them; nothing does otherwise.
observers: list[Callable[[Reply | None, float], None]] = []


def ask(router: Router, question: str) -> Reply:
    started = time.perf_counter()
    reply = None
    try:
        cleaned = clean(question)
        if not cleaned:
            reply = error("ask", "Ask a question, for example: /ask where did Kim and Putin meet?")
        else:
            reply = answer_reply(router, router.engine.ask(read_of(cleaned)))
        return reply
    finally:
        for observe in observers:
            observe(reply, time.perf_counter() - started)


def read_of(question: str) -> str:
    """The part of a question that is read: its first QUESTION_CHARS characters, in whole words."""
    if len(question) <= QUESTION_CHARS:
        return question
    head = question[:QUESTION_CHARS]
    cut = head.rfind(" ")
    return head[:cut] if cut > 0 else head


def answer_reply(router: Router, answer: Answer) -> Reply:
    showing = f"Showing results for “{clip(answer.corrected, EMBED_TITLE)}”." if answer.corrected else None
    if not answer.answered:
        related = tuple(hit_item(router, hit, None) for hit in answer.related)
        note = "Related facts the briefing does hold (not an answer):" if related else None
        why = clip(_why(answer.reason), REASON_CHARS)
        return Reply(
            command="ask",
            kind=ReplyKind.not_covered,
            title=NOT_COVERED,
            description=" ".join(x for x in (why, showing, note) if x) or None,
            reason=why or None,
            suggestions=answer.suggestions,
            ephemeral=True,
            corrected=answer.corrected,
            related=related,
        )
    reply = Reply(
        command="ask",
        kind=ReplyKind.answer,
        title=clip(answer.query, EMBED_TITLE),
        description=showing,
        uncovered=answer.uncovered,
        items=tuple(hit_item(router, hit, round(hit.score, 3)) for hit in answer.hits),
        suggestions=answer.suggestions,
        footer=router.items.footer(),
        corrected=answer.corrected,
    )
    if not reply.uncovered:
        return reply
    # A part of the question the briefing does not answer is named, not silently dropped.
    left_out = f"{NOT_COVERED}: {clip(reply.uncovered_quoted, REASON_CHARS)}."
    return reply.model_copy(update={"description": " ".join(x for x in (showing, left_out) if x)})


NOT_COVERED = "Not covered by this briefing"


def _why(reason: str | None) -> str:
    """The reason under the title that already says it is not covered: "It says nothing about …",
    not "Not covered by this briefing: it says nothing about …" twice over."""
    text = (reason or "").removeprefix(NOT_COVERED).lstrip(":. ")
    return text[:1].upper() + text[1:]


def hit_item(router: Router, hit: Hit, score: float | None) -> Item:
    """A snippet as itself; an entity's or topic's card with its summary and the sentences naming it;
    the answers to a question of several parts together, each keeping its own label."""
    if hit.snippet is not None:
        return router.items.snippet(hit.snippet, score)
    if hit.candidate.parts:
        labels = [_label(router, part) for part in hit.candidate.parts]
        return Item(
            id=hit.id,
            title=hit.title,
            # Each part's label beside it where they differ ("Confirmed fact", "Claim: Seoul").
            text="\n\n".join(
                f"{part.text} ({label})" if len(set(labels)) > 1 else part.text
                for part, label in zip(hit.candidate.parts, labels, strict=True)
            ),
            # One label when the parts share it; otherwise each part carries its own, in the text.
            certainty=labels[0] if len(set(labels)) == 1 else "Labelled part by part",
            citations=router.items.citations(hit.citations),
            score=score,
        )
    return Item(
        id=hit.id,
        title=hit.title,
        text=hit.text,
        certainty=_label(router, hit.candidate),
        citations=router.items.citations(hit.citations),
        score=score,
    )


def _label(router: Router, candidate: Candidate) -> str:
    if candidate.snippet is not None:
        return router.items.certainty(candidate.snippet)
    return "Entity card" if candidate.kind == "entity" else "Topic"
