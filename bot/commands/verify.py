"""Checking a claim against the briefing: Discord's "Check in briefing" on a message, `/verify` typed.

A message is split into sentences, each a claim. Each claim is asked through the router's question
path, so the check improves with the answer engine: the closest snippet, with its certainty and
sources, or plainly that the briefing does not cover it. Where the articles disagree on what that
snippet rests on, and the disagreement speaks of the claim, it follows the claim. The briefing says
what five articles report; the reply never calls a claim true or false.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.briefing.models import Briefing, Citation, Disagreement
from bot.briefing.text import normalise, sentences
from bot.commands.items import error
from bot.limits import CONTENT, clip
from bot.reply import Item, Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router

# Claims checked per message: each becomes one or two items, a few pages on Discord at most.
MAX_CLAIMS = 10
# A claim is shown quoted in a title (Discord field names hold 256 characters).
CLAIM_CHARS = 200
# Longest text read: a Discord message holds 2,000 characters (4,000 with Nitro).
TEXT_CHARS = 2 * CONTENT
NOT_COVERED = "Not covered"
# A fragment with fewer meaningful words ("lol", "Wow!") is no claim, unless it is all there is.
MIN_WORDS = 2
# Words in more than this share of the snippets ("Kim", "Russia", "summit") say nothing about which
# disagreement a claim touches; nor do people's names (a claim about what Kim did is not about how
# his name is spelt).
COMMON_SHARE = 0.15

_WORD = re.compile(r"[^\W_]{3,}")


def verify(router: Router, text: str) -> Reply:
    text = text.strip()
    if not text:
        return error("verify", "There is no text to check: give a sentence, e.g. Kim and Putin met in Vladivostok.")
    claims = split_claims(text[:TEXT_CHARS])
    checked = claims[:MAX_CLAIMS]
    items: list[Item] = []
    suggestions: list[str] = []
    covered = 0
    shown: set[str] = set()
    for number, claim in enumerate(checked, 1):
        reply = router.ask(claim)
        quoted = f"“{clip(claim, CLAIM_CHARS)}”"
        if reply.kind is not ReplyKind.answer or not reply.items:
            reason = reply.description or "The briefing does not cover this."
            items.append(Item(id=f"claim-{number}", title=quoted, text=clip(reason, 300), certainty=NOT_COVERED))
            suggestions += reply.suggestions
            continue
        covered += 1
        best = reply.items[0]
        items.append(best.model_copy(update={"title": quoted, "text": f"Briefing: {best.text}"}))
        for disagreement in router.disputes.about(best.id, claim):
            if disagreement.id not in shown:
                shown.add(disagreement.id)
                items.append(router.items.disagreement(disagreement))
    many = len(checked) > 1
    if not covered and not many:
        return Reply(
            command="verify",
            kind=ReplyKind.not_covered,
            title="Not covered by this briefing",
            description=f"{items[0].title}\n{items[0].text}",
            suggestions=tuple(dict.fromkeys(suggestions))[:3],
            ephemeral=True,
        )
    summary = f"The briefing speaks to {covered} of {len(checked)} sentences." if many else None
    left_out = f"Checked the first {len(checked)} of {len(claims)} sentences." if len(claims) > len(checked) else None
    what = (
        "Each claim with the closest thing the briefing says, its certainty and its sources. The briefing "
        "reports what five articles say; it does not rule on what they leave out."
    )
    return Reply(
        command="verify",
        kind=ReplyKind.listing,
        title="What the briefing says",
        description=" ".join(part for part in (summary, left_out, what) if part),
        items=tuple(items),
        suggestions=tuple(dict.fromkeys(suggestions))[:3],
        ephemeral=True,
        footer=router.items.footer(),
    )


def split_claims(text: str) -> list[str]:
    """The sentences of a message, line by line, each once; fragments that say nothing are left out."""
    found = [part for line in text.splitlines() for s in sentences(normalise(line)) for part in _chat_split(s)]
    claims = [s for s in found if len(_WORD.findall(s)) >= MIN_WORDS] or found[:1]
    return list({claim.casefold(): claim for claim in reversed(claims)}.values())[::-1]


class Disputes:
    """Which of the briefing's disagreements a checked claim touches. Built with the router (in
    /reload's worker thread, off the event loop): the briefing's common words, what each disagreement
    cites and says."""

    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing
        counts: Counter[str] = Counter()
        for snippet in briefing.snippets:
            counts.update(set(_WORD.findall(f"{snippet.title} {snippet.text}".lower())))
        limit = COMMON_SHARE * max(1, len(briefing.snippets))
        names = {w for e in briefing.entities if e.kind == "person" for s in e.spellings for w in _words(s)}
        self._common = frozenset(w for w, n in counts.items() if n > limit) | names
        self._disputed = {d.id: _cited(side.source for side in d.sides) for d in briefing.disagreements}
        self._said = {
            d.id: _words(" ".join([d.title, d.text, *(side.claim for side in d.sides)])) for d in briefing.disagreements
        }

    def about(self, snippet_id: str, claim: str) -> list[Disagreement]:
        """Disagreements over a sentence the snippet cites that share a telling word with the claim,
        the one sharing most (the first in the file on a tie), or none."""
        # An answer may lead with something other than a snippet (a topic, a person): nothing cited then.
        snippet = next((s for s in self.briefing.snippets if s.id == snippet_id), None)
        cited = _cited(snippet.sources) if snippet is not None else frozenset()
        words = _words(claim) - self._common
        best: tuple[int, Disagreement] | None = None
        for d in self.briefing.disagreements:
            if not cited & self._disputed[d.id]:
                continue
            shared = len(words & self._said[d.id])
            if shared and (best is None or shared > best[0]):
                best = (shared, d)
        return [best[1]] if best else []


# Chat writes sentences without capitals ("they met. then they ate."): a full stop and a lowercase
# word also end one, except after these.
_CHAT_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[a-z])")
_CHAT_ABBREVIATIONS = (
    *("u.n.", "u.s.", "u.k.", "mr.", "mrs.", "ms.", "dr.", "st.", "gen.", "lt.", "col.", "no.", "prof."),
    *("e.g.", "i.e.", "etc.", "vs.", "approx.", "incl."),
)


def _chat_split(sentence: str) -> list[str]:
    parts: list[str] = []
    for piece in _CHAT_BOUNDARY.split(sentence):
        if parts and parts[-1].lower().endswith(_CHAT_ABBREVIATIONS):
            parts[-1] = f"{parts[-1]} {piece}"
        elif piece.strip():
            parts.append(piece.strip())
    return parts


def _cited(citations: Iterable[Citation]) -> frozenset[tuple[str, str]]:
    return frozenset((c.article, normalise(c.quote)) for c in citations)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(normalise(text))}
