"""What a command answers, independent of where it is shown (Discord, console, JSON)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.moments import Moment


class ReplyKind(StrEnum):
    answer = "answer"  # a question answered from the briefing
    not_covered = "not_covered"  # an honest "the briefing does not cover this"
    listing = "listing"  # a topic, the timeline, quotes, sources, the brief, a digest
    card = "card"  # one entity
    help = "help"  # help, and notices such as /reload's report
    error = "error"  # bad input: shown only to the person who asked


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Citation(Frozen):
    article: str
    headline: str
    quote: str


class Item(Frozen):
    id: str
    title: str
    text: str
    # The certainty label a reader sees ("Confirmed fact", "Analysis" …), if the item has one.
    certainty: str | None = None
    citations: tuple[Citation, ...] = ()
    score: float | None = None
    # The moment the item is about, when the data fixes one (see bot/moments.py); each renderer
    # writes it for its reader. Texts may also hold moments, as `Moment.token()`.
    when: Moment | None = None


class Reply(Frozen):
    command: str
    kind: ReplyKind
    title: str
    description: str | None = None
    items: tuple[Item, ...] = ()
    # Parts of a question the answer leaves out, because the briefing does not cover them.
    uncovered: tuple[str, ...] = ()
    # Why a question is not covered, in a sentence ("It says nothing about “xi”.").
    reason: str | None = None
    # Commands worth trying next ("/topic Sanctions and the UN", "/who Dmitry Peskov").
    suggestions: tuple[str, ...] = ()
    # Shown only to the person who asked (errors, refusals).
    ephemeral: bool = False
    footer: str | None = None
    # The question as searched when typos were corrected: "Showing results for …".
    corrected: str | None = None
    # With a refusal: the nearest facts the briefing holds, offered as related, not as the answer.
    related: tuple[Item, ...] = ()

    @property
    def uncovered_quoted(self) -> str:
        """The parts left out as the reader sees them: “what was the weather like”, “…”."""
        return ", ".join(f"“{part}”" for part in self.uncovered)


class Choice(Frozen):
    """An autocomplete choice: what the user sees, and what is sent back."""

    name: str
    value: str
