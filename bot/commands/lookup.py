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


# How close a name must be to be suggested ("did you mean"): a typo or part of the name, not a
# name that merely shares letters ("lavrov" is not "Kozlov").
CLOSE = 80


def closeness(query: str, name: str) -> float:
    """How close a typed name is to a name: the whole, or any one of its words (a surname)."""
    folded = fold(name)
    return max(fuzz.token_set_ratio(query, folded), max((fuzz.ratio(query, w) for w in folded.split()), default=0))


def near_topics(briefing: Briefing, name: str) -> tuple[str, ...]:
    query = fold(name).strip()
    scored = [(max(closeness(query, n) for n in (t.title, t.id, *t.keywords)), t.title) for t in briefing.topics]
    close = [title for score, title in sorted(scored, key=lambda x: -x[0]) if score >= CLOSE][:3]
    return tuple(f"/topic {title}" for title in close) or ("/topic",)


def near_people(briefing: Briefing, name: str) -> tuple[str, ...]:
    """Only names close to what was typed, best first; none when nothing is close."""
    query = fold(name).strip()
    scored = [(max(closeness(query, s) for s in e.spellings), e.name) for e in briefing.entities]
    return tuple(f"/who {n}" for score, n in sorted(scored, key=lambda x: -x[0]) if score >= CLOSE)[:3]
