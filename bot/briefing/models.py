"""The briefing's data model: what curators write in `briefings/` and `seeds/*.yaml`.

Every model is frozen so a loaded `Briefing` can be shared by every adapter without copies,
and `extra="forbid"` so a misspelt key in a hand-edited file is an error, not a silent no-op.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from bot.limits import CHOICE_CHARS, FIELD_NAME, FIELD_VALUE

# Every snippet text must fit one embed field; titles fit a field name; topic titles and entity
# names are autocomplete choices.
FIELD_VALUE_LIMIT = FIELD_VALUE
TITLE_LIMIT = FIELD_NAME

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A curator's note on why a rule of `briefbot check` does not apply to an item: a sentence, not "ok".
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=600)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Certainty(StrEnum):
    confirmed = "confirmed"
    reported = "reported"
    claim = "claim"
    analysis = "analysis"
    speculation = "speculation"

    @property
    def label(self) -> str:
        return CERTAINTY_LABELS[self]


CERTAINTY_LABELS: dict[Certainty, str] = {
    Certainty.confirmed: "Confirmed fact",
    Certainty.reported: "Reported",
    Certainty.claim: "Claim by a named party",
    Certainty.analysis: "Analysis",
    Certainty.speculation: "Speculation",
}


class EntityKind(StrEnum):
    person = "person"
    place = "place"
    organisation = "organisation"
    event = "event"


class Source(Frozen):
    """One article in `seeds/`, described by its metadata file."""

    id: Id
    file: Text
    headline: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_LIMIT)]
    # As the article states it, or "unknown": never a guess.
    date: Text
    # Where the date comes from, or why it is unknown.
    date_basis: Text
    # Verbatim lines of the file that are not article text (page chrome, bylines).
    not_article_text: tuple[str, ...] = ()
    # Verbatim lines that are article text but not factual sentences (section headings).
    headings: tuple[str, ...] = ()
    summary: Text


class Citation(Frozen):
    """An article id and the verbatim sentence(s) of that article that support a claim."""

    article: Id
    quote: Text


class Topic(Frozen):
    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CHOICE_CHARS)]
    summary: Text
    keywords: tuple[str, ...] = ()
    # The entity whose aims or acts the topic's snippets report ("russia-wants": russia), when one
    # does: "what does Russia want from North Korea" is answered from its side, not the other's.
    party: Id | None = None


class Entity(Frozen):
    id: Id
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CHOICE_CHARS)]
    aliases: tuple[str, ...] = ()
    kind: EntityKind
    role: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    # Entities this one is used as shorthand for: "Pyongyang" for North Korea's government, "the
    # Kremlin" for Russia's. A question naming it asks about them too.
    stands_for: tuple[Id, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Statement(Frozen):
    """What snippets and timeline events share: a text in our words, how certain it is, and the
    article sentences it rests on."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=FIELD_VALUE_LIMIT)]
    certainty: Certainty
    # Who makes the claim, for certainty "claim" (an entity id).
    speaker: Id | None = None
    # Why "confirmed" stands although a cited sentence hedges or attributes (see briefings/README.md).
    confirmed_because: Reason | None = None
    # Why a speculation may cite another article's plain statement beside the guess.
    joined_because: Reason | None = None
    entities: tuple[Id, ...] = ()
    sources: tuple[Citation, ...] = Field(min_length=1)


class Snippet(Statement):
    id: Id
    topic: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_LIMIT)]
    # Extra words a reader might search with that the text does not contain.
    terms: tuple[str, ...] = ()


class Event(Statement):
    id: Id
    # The time as the sources give it ("Tuesday", "July", "September 2022"): never a made-up date.
    when: Text
    # The exact moment, only when a cited sentence gives the date, the time of day and its zone
    # (2023-09-13T13:00:00+10:00): readers then see it in their own zone. Never worked out.
    at: AwareDatetime | None = None
    # Position in the timeline; events are shown in ascending order.
    order: int


class Quote(Frozen):
    id: Id
    speaker: Id
    # The speaker's role as the article gives it at the time of the quote.
    role: Text
    topic: Id
    # What the quote is about, in our words.
    context: Text
    # The speaker's own words: exactly what the cited sentence(s) put inside quotation marks, without the
    # marks. What a quote card shows as the quotation; the rest of the sentence is the reporter's.
    words: Text
    source: Citation


# What a list of reader questions is for: a snippet's id, or "entity:<id>", "topic:<id>" for a card.
AskedId = Annotated[str, StringConstraints(pattern=r"^(?:(?:entity|topic):)?[a-z0-9][a-z0-9-]*$", max_length=72)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Asks(Frozen):
    """Questions readers would ask that one item answers, in their own words (asks.yaml): searched
    beside the item's own words, so a question phrased as readers phrase it finds it."""

    id: AskedId
    questions: tuple[Question, ...] = Field(min_length=1)


class Side(Frozen):
    claim: Text
    source: Citation


class Disagreement(Frozen):
    id: Id
    topic: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_LIMIT)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=FIELD_VALUE_LIMIT)]
    sides: tuple[Side, ...] = Field(min_length=2)


class Briefing(Frozen):
    """The whole validated briefing: one immutable, versioned object."""

    version: str
    title: str
    sources: tuple[Source, ...]
    topics: tuple[Topic, ...]
    entities: tuple[Entity, ...]
    snippets: tuple[Snippet, ...]
    events: tuple[Event, ...]
    quotes: tuple[Quote, ...]
    disagreements: tuple[Disagreement, ...]
    # The 60-second overview: snippet ids in reading order.
    brief: tuple[str, ...] = ()
    # Groups of words a reader may use for one another ("photo", "photograph", "picture").
    synonyms: tuple[tuple[str, ...], ...] = ()
    # Questions readers would ask, per item they are answered by (snippet id, "entity:<id>", "topic:<id>").
    asks: tuple[Asks, ...] = ()
    # Questions readers ask about a topic that the articles do not answer, per topic id ("topic:<id>").
    unasked: tuple[Asks, ...] = ()

    def snippet(self, snippet_id: str) -> Snippet:
        return next(s for s in self.snippets if s.id == snippet_id)

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)

    def entity(self, entity_id: str) -> Entity:
        return next(e for e in self.entities if e.id == entity_id)
