"""The briefing's snippets, events, quotes and disagreements as reply items, each with its sources."""

from __future__ import annotations

from bot.briefing.models import Briefing, Certainty, Disagreement, Event, Quote, Snippet
from bot.briefing.models import Citation as BriefingCitation
from bot.commands.registry import Surface, command
from bot.limits import FIELD_VALUE, clip
from bot.moments import Moment
from bot.reply import Citation, Item, Reply, ReplyKind

QUOTE = "Quote"
# A quote whose article sentence reports what was said without quotation marks.


class Items:
    """Builds reply items for one briefing (article headlines and entity names looked up once)."""

    def __init__(self, briefing: Briefing, surface: Surface = Surface.console) -> None:
        self.briefing = briefing
        # How the reader asks for the sources where the replies are shown (`/sources`, `briefbot sources`).
        self._sources = command("sources").usage(surface)
        self._headlines = {s.id: s.headline for s in briefing.sources}
        self._names = {e.id: e.name for e in briefing.entities}

    def citations(self, citations: tuple[BriefingCitation, ...]) -> tuple[Citation, ...]:
        return tuple(Citation(article=c.article, headline=self._headlines[c.article], quote=c.quote) for c in citations)

    def snippet(self, snippet: Snippet, score: float | None = None) -> Item:
        return Item(
            id=snippet.id,
            title=snippet.title,
            text=snippet.text,
            certainty=self.certainty(snippet),
            citations=self.citations(snippet.sources),
            score=score,
        )

    def certainty(self, snippet: Snippet) -> str:
        """The label a reader sees; a claim names who makes it."""
        label = snippet.certainty.label
        if snippet.speaker and snippet.certainty is Certainty.claim:
            return f"{label}: {self._names.get(snippet.speaker, snippet.speaker)}"
        return label

    def event(self, event: Event) -> Item:
        return Item(
            id=event.id,
            title=event.when,
            text=event.text,
            certainty=event.certainty.label,
            citations=self.citations(event.sources),
            when=Moment(at=event.at) if event.at else None,
        )

    def quote(self, quote: Quote) -> Item:
        """The speaker's own words (what the article puts in quotation marks) as the quote; our
        summary only as context, labelled so. `briefbot check` holds every quote card to that."""
        return Item(
            id=quote.id,
            title=f"{self._names.get(quote.speaker, quote.speaker)}, {quote.role}",
            text=f"“{quote.words}”\nContext: {quote.context}",
            certainty=QUOTE,
            citations=self.citations((quote.source,)),
        )

    def disagreement(self, disagreement: Disagreement) -> Item:
        sides = "\n".join(f"• [{side.source.article}] {side.claim}" for side in disagreement.sides)
        return Item(
            id=disagreement.id,
            title=f"Sources differ: {disagreement.title}",
            text=clip(f"{disagreement.text}\n{sides}", FIELD_VALUE),
            certainty="Sources disagree",
            citations=self.citations(tuple(side.source for side in disagreement.sides)),
        )

    def footer(self) -> str:
        return f"Briefing {self.briefing.version} · sources: {self._sources}"


def error(command: str, message: str, suggestions: tuple[str, ...] = ()) -> Reply:
    """Bad input: an explanation shown only to the person who asked."""
    return Reply(
        command=command,
        kind=ReplyKind.error,
        title="Sorry",
        description=message,
        suggestions=suggestions,
        ephemeral=True,
    )
