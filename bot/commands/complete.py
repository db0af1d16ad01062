"""Autocomplete: what a reader may mean while typing a topic, a name or a question."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.answer.tokens import fold
from bot.briefing.models import Briefing
from bot.limits import CHOICE_CHARS, CHOICES, clip
from bot.reply import Choice


def topics(briefing: Briefing, prefix: str) -> list[Choice]:
    return _complete(prefix, {t.title: t.id for t in briefing.topics})


def entities(briefing: Briefing, prefix: str, speakers_only: bool = False) -> list[Choice]:
    speakers = {q.speaker for q in briefing.quotes}
    chosen = [e for e in briefing.entities if not speakers_only or e.id in speakers]
    choices = {e.name: e.name for e in chosen}
    folded = fold(prefix)
    # An alias typed ("Choe Sun Hui") completes to its entity's name.
    for e in chosen:
        for alias in e.aliases:
            if folded and fold(alias).startswith(folded):
                choices.setdefault(e.name, e.name)
    return _complete(prefix, choices)


def questions(briefing: Briefing, prefix: str) -> list[Choice]:
    """Snippet titles as questions already answered, best match for what is typed first."""
    return _complete(prefix, {s.title: s.title for s in briefing.snippets})


def _complete(prefix: str, choices: dict[str, str]) -> list[Choice]:
    """Prefix matches first, then ones containing it, then fuzzy ones; within Discord's limits."""
    folded = fold(prefix).strip()
    if not folded:
        ranked = list(choices.items())
    else:
        starts = [(n, v) for n, v in choices.items() if fold(n).startswith(folded)]
        contains = [(n, v) for n, v in choices.items() if folded in fold(n) and (n, v) not in starts]
        fuzzy = [
            (m[2], choices[m[2]])
            for m in process.extract(
                folded, {n: fold(n) for n in choices}, scorer=fuzz.WRatio, limit=CHOICES, score_cutoff=60
            )
        ]
        ranked = list(dict.fromkeys([*starts, *contains, *fuzzy]))
    return [Choice(name=clip(name, CHOICE_CHARS), value=clip(value, CHOICE_CHARS)) for name, value in ranked[:CHOICES]]
