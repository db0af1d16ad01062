"""/ask: a question answered from the briefing, or an honest "not covered" with suggestions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.answer.engine import Answer
from bot.commands.items import error
from bot.limits import EMBED_TITLE, clip
from bot.reply import Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router

# Told of every question: its reply (None when answering raised) and the seconds it took. The bot's
# /metrics (bot/metrics.py) listens while it serves them; nothing does otherwise.
observers: list[Callable[[Reply | None, float], None]] = []


def ask(router: Router, question: str) -> Reply:
    started = time.perf_counter()
    reply = None
    try:
        if not question:
            reply = error("ask", "Ask a question, for example: /ask where did Kim and Putin meet?")
        else:
            reply = answer_reply(router, router.engine.ask(question))
        return reply
    finally:
        for observe in observers:
            observe(reply, time.perf_counter() - started)


def answer_reply(router: Router, answer: Answer) -> Reply:
    if not answer.answered:
        return Reply(
            command="ask",
            kind=ReplyKind.not_covered,
            title="Not covered by this briefing",
            description=answer.reason,
            suggestions=answer.suggestions,
            ephemeral=True,
        )
    return Reply(
        command="ask",
        kind=ReplyKind.answer,
        title=clip(answer.query, EMBED_TITLE),
        items=tuple(router.items.snippet(hit.snippet, round(hit.score, 3)) for hit in answer.hits),
        suggestions=answer.suggestions,
        footer=router.items.footer(),
    )
