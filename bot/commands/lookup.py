"""Finding what a reader names: a topic or an entity by any spelling or a near typo, and what is near."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.answer.tokens import fold
from bot.briefing.models import Briefing, Entity, Snippet, Topic


def find_topic(briefing: Briefing, name: str) -> Topic | None:
    folded = fold(name).strip()
    for t in briefing.topics:
        if folded in (t.id, fold(t.title)):
            return t
    # Each way of naming a topic is its own choice, so "sanctons" meets the keyword "sanctions".
    names = {(t.id, i): fold(n) for t in briefing.topics for i, n in enumerate((t.title, t.id, *t.keywords))}
    match = process.extractOne(folded, names, scorer=fuzz.WRatio, score_cutoff=85)
    return briefing.topic(match[2][0]) if match else None


def find_entity(briefing: Briefing, name: str) -> Entity | None:
    folded = fold(name).strip()
    for e in briefing.entities:
        if folded == e.id or any(folded == fold(s) for s in e.spellings):
            return e
    choices = {(e.id, s): fold(s) for e in briefing.entities for s in e.spellings}
    match = process.extractOne(folded, choices, scorer=fuzz.ratio, score_cutoff=80)
    return briefing.entity(match[2][0]) if match else None


def about(briefing: Briefing, entity: Entity) -> list[Snippet]:
    """The snippets tagged with an entity: its own words first, then those naming it in the title."""
    names = [fold(s) for s in entity.spellings]

    def rank(s: Snippet) -> int:
        if s.speaker == entity.id:
            return 0
        return 1 if any(n in fold(s.title) for n in names) else 2 if any(n in fold(s.text) for n in names) else 3

    tagged = [s for s in briefing.snippets if entity.id in s.entities or s.speaker == entity.id]
    return sorted(tagged, key=rank)


def near_topics(briefing: Briefing, name: str) -> tuple[str, ...]:
    choices = {t.title: fold(t.title) for t in briefing.topics}
    near = process.extract(fold(name), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
    return tuple(f"/topic {m[2]}" for m in near) or ("/topic",)


def near_people(briefing: Briefing, name: str) -> tuple[str, ...]:
    choices = {e.name: fold(" ".join(e.spellings)) for e in briefing.entities}
    near = process.extract(fold(name), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
    return tuple(f"/who {m[2]}" for m in near)
