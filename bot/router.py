"""The one command set every adapter uses: a command and its argument in, a `Reply` out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.answer.engine import Answer, Engine, Hit
from bot.answer.tokens import fold
from bot.briefing.load import LoadResult
from bot.briefing.models import Briefing, Disagreement, Entity, Event, Quote, Snippet, Topic
from bot.briefing.models import Citation as BriefingCitation
from bot.chat_markup import clean
from bot.reply import Choice, Citation, Item, Reply, ReplyKind

# Autocomplete: Discord shows at most 25 choices, names and values at most 100 characters.
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100


@dataclass(frozen=True)
class CommandInfo:
    name: str
    argument: str | None
    summary: str


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("ask", "question", "Ask a question; the answer cites the articles."),
    CommandInfo("brief", None, "The summit in 60 seconds: the key points, each sourced."),
    CommandInfo("topic", "name", "Everything the briefing says on one topic."),
    CommandInfo("who", "name", "Who a person, place or organisation is, and what they did or said."),
    CommandInfo("timeline", None, "Events in order, with the time as the sources give it."),
    CommandInfo("quotes", "[speaker]", "Notable quotes, optionally from one speaker."),
    CommandInfo("sources", None, "The five articles and what each covers."),
    CommandInfo("help", None, "This list."),
)


class Router:
    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing
        self.engine = Engine(briefing)
        self._headlines = {s.id: s.headline for s in briefing.sources}
        self._handlers: dict[str, Callable[[str], Reply]] = {
            "ask": self.ask,
            "brief": lambda _: self.brief(),
            "topic": self.topic,
            "who": self.who,
            "timeline": lambda _: self.timeline(),
            "quotes": self.quotes,
            "sources": lambda _: self.sources(),
            "help": lambda _: self.help(),
        }

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, command: str, argument: str = "") -> Reply:
        name = command.strip().lstrip("/").lower()
        handler = self._handlers.get(name)
        if handler is None:
            tail = f" {argument.strip()}" if argument.strip() else ""
            near = tuple(f"/{c.name}{tail}" for c in COMMANDS if fuzz.ratio(c.name, name) >= 60)
            return self._error(name or "help", f"There is no command “{name}”.", near or ("/help",))
        return handler(argument.strip())

    def handle_line(self, line: str) -> Reply:
        """A console or CLI line: `/who peskov`, `who peskov`, or a bare question."""
        text = line.strip()
        head, _, rest = text.partition(" ")
        name = head.lstrip("/").lower()
        if name in self._handlers:
            return self.handle(name, rest)
        if head.startswith("/"):
            return self.handle(name, rest)
        return self.ask(text)

    # -- commands ---------------------------------------------------------------------------

    def ask(self, question: str) -> Reply:
        cleaned = clean(question)
        if not cleaned:
            return self._error("ask", "Ask a question, for example: /ask where did Kim and Putin meet?")
        return self.answer_reply(self.engine.ask(cleaned))

    def answer_reply(self, answer: Answer) -> Reply:
        showing = f"Showing results for “{answer.corrected}”." if answer.corrected else None
        if not answer.answered:
            related = tuple(self._hit_item(hit, None) for hit in answer.related)
            note = "Related facts the briefing does hold (not an answer):" if related else None
            return Reply(
                command="ask",
                kind=ReplyKind.not_covered,
                title="Not covered by this briefing",
                description=" ".join(x for x in (answer.reason, showing, note) if x) or None,
                suggestions=answer.suggestions,
                ephemeral=True,
                corrected=answer.corrected,
                related=related,
            )
        return Reply(
            command="ask",
            kind=ReplyKind.answer,
            title=_clip(answer.query, 256),
            description=showing,
            items=tuple(self._hit_item(hit, round(hit.score, 3)) for hit in answer.hits),
            suggestions=answer.suggestions,
            footer=self._footer(),
            corrected=answer.corrected,
        )

    def _hit_item(self, hit: Hit, score: float | None) -> Item:
        """A snippet as itself; an entity's or topic's card with its summary and the sentences naming it."""
        if hit.snippet is not None:
            return self.snippet_item(hit.snippet, score)
        label = "Entity card" if hit.kind == "entity" else "Topic"
        return Item(
            id=hit.id,
            title=hit.title,
            text=hit.text,
            certainty=label,
            citations=self._citations(hit.citations),
            score=score,
        )

    def brief(self) -> Reply:
        snippets = [self.briefing.snippet(i) for i in self.briefing.brief]
        return Reply(
            command="brief",
            kind=ReplyKind.listing,
            title="The summit in 60 seconds",
            description=self.briefing.title,
            items=tuple(self.snippet_item(s) for s in snippets),
            suggestions=("/timeline", "/sources", "/help"),
            footer=self._footer(),
        )

    def topic(self, name: str) -> Reply:
        if not name:
            return self.topics_listing()
        topic = self.find_topic(name)
        if topic is None:
            return self._error("topic", f"No topic matches “{name}”.", self._near_topics(name))
        items = [self.snippet_item(s) for s in self.briefing.snippets if s.topic == topic.id]
        items += [self._disagreement_item(d) for d in self.briefing.disagreements if d.topic == topic.id]
        return Reply(
            command="topic",
            kind=ReplyKind.listing,
            title=topic.title,
            description=topic.summary,
            items=tuple(items),
            suggestions=tuple(f"/topic {t.title}" for t in self.briefing.topics if t.id != topic.id)[:3],
            footer=self._footer(),
        )

    def topics_listing(self) -> Reply:
        counts = {t.id: sum(s.topic == t.id for s in self.briefing.snippets) for t in self.briefing.topics}
        return Reply(
            command="topic",
            kind=ReplyKind.listing,
            title="Topics",
            description="Choose one with /topic name.",
            items=tuple(
                Item(id=t.id, title=t.title, text=f"{t.summary} ({counts[t.id]} snippets)")
                for t in self.briefing.topics
            ),
            footer=self._footer(),
        )

    def who(self, name: str) -> Reply:
        if not name:
            return self._error("who", "Name a person, place or organisation, for example: /who Dmitry Peskov")
        entity = self.find_entity(name)
        if entity is None:
            return self._error("who", f"The briefing names no one like “{name}”.", self._near_people(name))
        snippets = self._about(entity)
        quotes = [q for q in self.briefing.quotes if q.speaker == entity.id]
        spelling = f"Also written: {', '.join(entity.aliases)}." if entity.aliases else None
        return Reply(
            command="who",
            kind=ReplyKind.card,
            title=entity.name,
            description=" ".join(x for x in (f"{entity.role}", spelling) if x),
            items=tuple([self.snippet_item(s) for s in snippets] + [self._quote_item(q) for q in quotes]),
            suggestions=(f"/quotes {entity.name}",) if quotes else (),
            footer=f"{entity.kind.value.capitalize()} · {self._footer()}",
        )

    def timeline(self) -> Reply:
        return Reply(
            command="timeline",
            kind=ReplyKind.listing,
            title="Timeline",
            description="Times as the articles give them; the articles give few calendar dates.",
            items=tuple(self._event_item(e) for e in self.briefing.events),
            footer=self._footer(),
        )

    def quotes(self, speaker: str) -> Reply:
        quotes = list(self.briefing.quotes)
        title = "Notable quotes"
        if speaker:
            entity = self.find_entity(speaker)
            if entity is None:
                return self._error("quotes", f"The briefing names no one like “{speaker}”.", self._near_people(speaker))
            quotes = [q for q in quotes if q.speaker == entity.id]
            title = f"Quotes: {entity.name}"
            if not quotes:
                return self._error(
                    "quotes", f"The articles quote nothing from {entity.name}.", (f"/who {entity.name}",)
                )
        return Reply(
            command="quotes",
            kind=ReplyKind.listing,
            title=title,
            items=tuple(self._quote_item(q) for q in quotes),
            footer=self._footer(),
        )

    def sources(self) -> Reply:
        counts = {
            s.id: sum(any(c.article == s.id for c in n.sources) for n in self.briefing.snippets)
            for s in self.briefing.sources
        }
        return Reply(
            command="sources",
            kind=ReplyKind.listing,
            title="Sources",
            description="Every snippet cites one or more of these articles, with the sentences it rests on.",
            items=tuple(
                Item(
                    id=s.id,
                    title=f"[{s.id}] {s.headline}",
                    text=f"{s.summary}\nDate: {s.date} · cited by {counts[s.id]} snippets · file {s.file}",
                )
                for s in self.briefing.sources
            ),
            footer=self._footer(),
        )

    def help(self) -> Reply:
        return Reply(
            command="help",
            kind=ReplyKind.help,
            title="briefbot: the Kim Jong Un – Vladimir Putin summit, September 2023",
            description="Every answer comes from five news articles and cites them. Ask in keywords or plain English.",
            items=tuple(
                Item(id=c.name, title=f"/{c.name}" + (f" {c.argument}" if c.argument else ""), text=c.summary)
                for c in COMMANDS
            ),
            suggestions=("/brief", "/ask where did Kim and Putin meet?"),
            ephemeral=True,
        )

    # -- autocomplete -------------------------------------------------------------------------

    def complete_topics(self, prefix: str) -> list[Choice]:
        choices = {t.title: t.id for t in self.briefing.topics}
        return _complete(prefix, choices)

    def complete_entities(self, prefix: str, speakers_only: bool = False) -> list[Choice]:
        speakers = {q.speaker for q in self.briefing.quotes}
        entities = [e for e in self.briefing.entities if not speakers_only or e.id in speakers]
        choices = {e.name: e.name for e in entities}
        folded = fold(prefix)
        # An alias typed ("Choe Sun Hui") completes to its entity's name.
        for e in entities:
            for alias in e.aliases:
                if folded and fold(alias).startswith(folded):
                    choices.setdefault(e.name, e.name)
        return _complete(prefix, choices)

    def complete_questions(self, prefix: str) -> list[Choice]:
        """Snippet titles as questions already answered, best match for what is typed first."""
        choices = {s.title: s.title for s in self.briefing.snippets}
        return _complete(prefix, choices)

    # -- lookups ------------------------------------------------------------------------------

    def find_topic(self, name: str) -> Topic | None:
        folded = fold(name).strip()
        for t in self.briefing.topics:
            if folded in (t.id, fold(t.title)):
                return t
        # Each way of naming a topic is its own choice, so "sanctons" meets the keyword "sanctions".
        names = {(t.id, i): fold(n) for t in self.briefing.topics for i, n in enumerate((t.title, t.id, *t.keywords))}
        match = process.extractOne(folded, names, scorer=fuzz.WRatio, score_cutoff=85)
        return next(t for t in self.briefing.topics if t.id == match[2][0]) if match else None

    def find_entity(self, name: str) -> Entity | None:
        folded = fold(name).strip()
        for e in self.briefing.entities:
            if folded == e.id or any(folded == fold(s) for s in e.spellings):
                return e
        choices = {(e.id, s): fold(s) for e in self.briefing.entities for s in e.spellings}
        match = process.extractOne(folded, choices, scorer=fuzz.ratio, score_cutoff=80)
        return self.briefing.entity(match[2][0]) if match else None

    def _about(self, entity: Entity) -> list[Snippet]:
        names = [fold(s) for s in entity.spellings]

        def rank(s: Snippet) -> int:
            if s.speaker == entity.id:
                return 0
            return 1 if any(n in fold(s.title) for n in names) else 2 if any(n in fold(s.text) for n in names) else 3

        tagged = [s for s in self.briefing.snippets if entity.id in s.entities or s.speaker == entity.id]
        return sorted(tagged, key=rank)

    def _near_topics(self, name: str) -> tuple[str, ...]:
        choices = {t.title: fold(t.title) for t in self.briefing.topics}
        near = process.extract(fold(name), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
        return tuple(f"/topic {m[2]}" for m in near) or ("/topic",)

    def _near_people(self, name: str) -> tuple[str, ...]:
        choices = {e.name: fold(" ".join(e.spellings)) for e in self.briefing.entities}
        near = process.extract(fold(name), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
        return tuple(f"/who {m[2]}" for m in near)

    # -- items ----------------------------------------------------------------------------------

    def _citations(self, citations: tuple[BriefingCitation, ...]) -> tuple[Citation, ...]:
        return tuple(Citation(article=c.article, headline=self._headlines[c.article], quote=c.quote) for c in citations)

    def snippet_item(self, snippet: Snippet, score: float | None = None) -> Item:
        return Item(
            id=snippet.id,
            title=snippet.title,
            text=snippet.text,
            certainty=self._certainty(snippet),
            citations=self._citations(snippet.sources),
            score=score,
        )

    def _certainty(self, snippet: Snippet) -> str:
        label = snippet.certainty.label
        if snippet.speaker:
            speaker = next((e.name for e in self.briefing.entities if e.id == snippet.speaker), snippet.speaker)
            return f"{label}: {speaker}" if snippet.certainty.value == "claim" else label
        return label

    def _event_item(self, event: Event) -> Item:
        return Item(
            id=event.id,
            title=event.when,
            text=event.text,
            certainty=event.certainty.label,
            citations=self._citations(event.sources),
        )

    def _quote_item(self, quote: Quote) -> Item:
        speaker = self.briefing.entity(quote.speaker).name
        return Item(
            id=quote.id,
            title=f"{speaker}, {quote.role}",
            text=quote.context,
            certainty="Quote",
            citations=self._citations((quote.source,)),
        )

    def _disagreement_item(self, disagreement: Disagreement) -> Item:
        sides = "\n".join(f"• [{side.source.article}] {side.claim}" for side in disagreement.sides)
        return Item(
            id=disagreement.id,
            title=f"Sources differ: {disagreement.title}",
            text=_clip(f"{disagreement.text}\n{sides}", 1024),
            certainty="Sources disagree",
            citations=self._citations(tuple(side.source for side in disagreement.sides)),
        )

    def _footer(self) -> str:
        return f"Briefing {self.briefing.version} · sources: /sources"

    def _error(self, command: str, message: str, suggestions: tuple[str, ...] = ()) -> Reply:
        return Reply(
            command=command,
            kind=ReplyKind.error,
            title="Sorry",
            description=message,
            suggestions=suggestions,
            ephemeral=True,
        )


def _complete(prefix: str, choices: dict[str, str]) -> list[Choice]:
    """Prefix matches first, then fuzzy ones; at most 25, each within Discord's 100 characters."""
    folded = fold(prefix).strip()
    if not folded:
        ranked = list(choices.items())
    else:
        starts = [(n, v) for n, v in choices.items() if fold(n).startswith(folded)]
        contains = [(n, v) for n, v in choices.items() if folded in fold(n) and (n, v) not in starts]
        fuzzy = [
            (m[2], choices[m[2]])
            for m in process.extract(
                folded, {n: fold(n) for n in choices}, scorer=fuzz.WRatio, limit=MAX_CHOICES, score_cutoff=60
            )
        ]
        ranked = list(dict.fromkeys([*starts, *contains, *fuzzy]))
    return [
        Choice(name=_clip(name, MAX_CHOICE_CHARS), value=_clip(value, MAX_CHOICE_CHARS))
        for name, value in ranked[:MAX_CHOICES]
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reload_report(result: LoadResult, previous_version: str) -> Reply:
    """What /reload says: the new version, or every problem while the live briefing stays."""
    if result.ok and result.briefing is not None:
        b = result.briefing
        return Reply(
            command="reload",
            kind=ReplyKind.help,
            title="Briefing reloaded",
            description=f"Now serving {b.version} (was {previous_version}): {len(b.snippets)} snippets, "
            f"{len(b.entities)} entities, {len(b.events)} events.",
            ephemeral=True,
        )
    problems = [str(p) for p in result.problems]
    return Reply(
        command="reload",
        kind=ReplyKind.error,
        title=f"Not reloaded: {len(problems)} problem(s)",
        description=_clip(
            f"The live briefing stays at {previous_version}. Fix these and run `briefbot check`:\n"
            + "\n".join(f"• {p}" for p in problems),
            4000,
        ),
        ephemeral=True,
    )
