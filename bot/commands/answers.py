"""/ask: a question answered from the briefing, or an honest "not covered" with suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.engine import Answer
from bot.commands.items import error
from bot.limits import EMBED_TITLE, clip
from bot.reply import Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router

# What is read of a question: far more than any question needs (Discord's /ask takes 300), and a
# bound on the engine's work, which grows with the square of a word's length.
QUESTION_CHARS = 1000
# The words of a refusal echo the question's ("it says nothing about …"): a long question gets a
# clipped echo, not its whole text back.
REASON_CHARS = 400


def ask(router: Router, question: str) -> Reply:
    question = question.strip()
    if not question:
        return error("ask", "Ask a question, for example: /ask where did Kim and Putin meet?")
    return answer_reply(router, router.engine.ask(read_of(question)))


def read_of(question: str) -> str:
    """The part of a question that is read: its first QUESTION_CHARS characters, in whole words."""
    if len(question) <= QUESTION_CHARS:
        return question
    head = question[:QUESTION_CHARS]
    cut = head.rfind(" ")
    return head[:cut] if cut > 0 else head


def answer_reply(router: Router, answer: Answer) -> Reply:
    if not answer.answered:
        return Reply(
            command="ask",
            kind=ReplyKind.not_covered,
            title="Not covered by this briefing",
            description=clip(answer.reason, REASON_CHARS) if answer.reason else None,
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
