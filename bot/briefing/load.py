"""Load `seeds/` and `briefings/` into one validated `Briefing`, collecting every problem at once.

Validation happens item by item so that one bad snippet names itself and the rest still load;
then references, quotes and coverage are checked across files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.briefing.certainty import HEDGES_PATH, check_certainty, load_lexicon
from bot.briefing.models import (
    Asks,
    Briefing,
    Citation,
    Disagreement,
    Entity,
    Event,
    Quote,
    Snippet,
    Source,
    Topic,
)
from bot.briefing.own_words import CopyFinder
from bot.briefing.text import article_lines, normalise, quote_sentences, sentences
from bot.briefing.yamlfile import LineDict, YamlProblem, parse_yaml, read_text
from bot.limits import clip

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the briefing: where it is and what is wrong."""

    file: str
    item: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        item = f" [{self.item}]" if self.item else ""
        return f"{where}:{item} {self.message}"


@dataclass(frozen=True)
class Article:
    source: Source
    # Article text without page chrome, normalised, lines joined by spaces: what quotes must be in.
    body: str
    # The factual sentences (headings and chrome left out), normalised.
    sentences: tuple[str, ...]
    # Every sentence in order, headings included: a quote is a run of these.
    all_sentences: tuple[str, ...] = ()
    # Where each sentence occurs in all_sentences.
    positions: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def locate(self, quoted: Sequence[str]) -> int | None:
        """Where the run of whole sentences `quoted` starts in the article, or None."""
        if not quoted:
            return None
        for start in self.positions.get(quoted[0], ()):
            if tuple(self.all_sentences[start : start + len(quoted)]) == tuple(quoted):
                return start
        return None


@dataclass(frozen=True)
class ArticleCoverage:
    source_id: str
    total: int
    uncovered: tuple[str, ...]

    @property
    def covered(self) -> int:
        return self.total - len(self.uncovered)


@dataclass
class LoadResult:
    briefing: Briefing | None
    problems: list[Problem] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)
    coverage: list[ArticleCoverage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.briefing is not None and not self.problems


class BriefingInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the briefing")
        self.problems = problems


@dataclass(frozen=True)
class Located:
    """A validated item and where it was written."""

    file: str
    line: int | None
    item: Any


class _Loader:
    def __init__(self, root: Path, briefings: Path, seeds: Path) -> None:
        self.root = root
        self.briefings = briefings
        self.seeds = seeds
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()

    def rel(self, path: Path) -> str:
        # The folder is resolved, not the file: a broken link is named as the link.
        try:
            return str((path.parent.resolve() / path.name).relative_to(self.root.resolve()))
        except (ValueError, OSError):
            return str(path)

    def problem(self, file: str, item: str | None, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(file, item, message, line))

    def text(self, path: Path) -> str | None:
        """A file's text (hashed into the version), or None with a problem naming the file."""
        try:
            text = read_text(path)
        except YamlProblem as exc:
            self.problem(self.rel(path), None, exc.message, exc.line)
            return None
        self.digest.update(self.rel(path).encode() + b"\0" + text.encode() + b"\0")
        return text

    def read(self, path: Path) -> Any:
        """A YAML file's data, or None with problems naming the file (and line)."""
        text = self.text(path)
        if text is None:
            return None
        try:
            data, problems = parse_yaml(text)
        except YamlProblem as exc:
            self.problem(self.rel(path), None, exc.message, exc.line)
            return None
        for found in problems:
            self.problem(self.rel(path), None, found.message, found.line)
        return data

    def items(self, path: Path, data: Any, key: str, model: type[M]) -> Iterator[Located]:
        """Validate the list under `key`, yielding each good item; bad ones become problems."""
        file = self.rel(path)
        if data is None:
            self.problem(file, None, f"empty: expected a mapping with a '{key}:' list at the top")
            return
        if not isinstance(data, dict) or key not in data:
            self.problem(file, None, f"expected a mapping with a '{key}:' list at the top, found {_kind(data)}")
            return
        unknown = sorted(set(data) - {key})
        if unknown:
            self.problem(file, None, f"unknown top-level key(s): {', '.join(map(str, unknown))}")
        entries = data[key]
        if not isinstance(entries, list):
            self.problem(file, None, f"'{key}' must be a list, found {_kind(entries)}", getattr(data, "line", None))
            return
        for index, raw in enumerate(entries):
            line = raw.line if isinstance(raw, LineDict) else None
            label = _label(raw, index)
            try:
                yield Located(file, line, model.model_validate(raw))
            except ValidationError as exc:
                for error in exc.errors():
                    loc = ".".join(str(part) for part in error["loc"]) or "item"
                    self.problem(file, label, f"{loc}: {error['msg']}", line)

    def one(self, path: Path, data: Any, model: type[M]) -> M | None:
        file = self.rel(path)
        if not isinstance(data, dict):
            what = "empty" if data is None else f"found {_kind(data)}"
            self.problem(file, None, f"expected a mapping of keys (version:, title:, …) at the top: {what}")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"]) or "file"
                self.problem(file, None, f"{loc}: {error['msg']}", getattr(data, "line", None))
            return None


def _kind(value: Any) -> str:
    """How a YAML value reads to a curator."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "nothing"
    return f"a {type(value).__name__}"


def _label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return str(raw["id"])
    return f"item #{index + 1}"


class _Front(BaseModel):
    """briefing.yaml"""

    model_config = {"extra": "forbid", "frozen": True}
    version: str
    title: str
    brief: list[str]
    topics: list[Any]


class _Synonyms(BaseModel):
    """synonyms.yaml"""

    model_config = {"extra": "forbid", "frozen": True}
    synonyms: list[list[str]]


def load(root: Path, briefings: Path | None = None, seeds: Path | None = None) -> LoadResult:
    """Load and verify everything; never raises for bad content (see LoadResult.problems)."""
    briefings = briefings or root / "briefings"
    seeds = seeds or root / "seeds"
    loader = _Loader(root, briefings, seeds)
    try:
        return _load(loader)
    except Exception as exc:  # a bug of ours must not take /reload or `check` down: say so instead
        message = f"unexpected error while loading (a bug in briefbot): {type(exc).__name__}: {exc}"
        loader.problem(loader.rel(briefings), None, message)
        return LoadResult(briefing=None, problems=loader.problems)


def _load(loader: _Loader) -> LoadResult:
    briefings, seeds = loader.briefings, loader.seeds
    if not briefings.is_dir():
        what = "is not a folder" if briefings.exists() else "does not exist"
        loader.problem(loader.rel(briefings), None, f"the briefing folder {what}")
        return LoadResult(briefing=None, problems=loader.problems)
    articles: dict[str, Article] = {}
    sources: list[Located] = []
    if not seeds.is_dir():
        what = "is not a folder" if seeds.exists() else "does not exist"
        loader.problem(loader.rel(seeds), None, f"the articles folder {what}: quotes cannot be verified")
    else:
        for loc in _load_sources(loader):
            article = _article(loader, loc.item)
            if article is not None:
                sources.append(loc)
                articles[loc.item.id] = article

    front_path = briefings / "briefing.yaml"
    front = None
    topics: list[Located] = []
    if not front_path.exists():
        loader.problem(loader.rel(front_path), None, "missing: it holds the version, title and topics")
    else:
        front_data = loader.read(front_path)
        if front_data is not None or not loader.problems or loader.problems[-1].file != loader.rel(front_path):
            front = loader.one(front_path, front_data, _Front)
            if front is not None:
                topics = list(loader.items(front_path, {"topics": front.topics}, "topics", Topic))

    entities = _load_list(loader, briefings / "entities.yaml", "entities", Entity)
    snippet_dir = briefings / "snippets"
    snippet_files = sorted(snippet_dir.glob("*.yaml")) if snippet_dir.is_dir() else []
    if not snippet_files:
        loader.problem(loader.rel(snippet_dir), None, "no snippet files (*.yaml) found")
    snippets = [loc for path in snippet_files for loc in _load_list(loader, path, "snippets", Snippet)]
    events = _load_list(loader, briefings / "timeline.yaml", "events", Event)
    quotes = _load_list(loader, briefings / "quotes.yaml", "quotes", Quote)
    disagreements = _load_list(loader, briefings / "disagreements.yaml", "disagreements", Disagreement)
    synonyms = _load_synonyms(loader, briefings / "synonyms.yaml")
    asks = _load_asks(loader, briefings / "asks.yaml", "asks")
    unasked = _load_asks(loader, briefings / "unasked.yaml", "unasked")

    _check_unique(loader, "source", sources)
    _check_unique(loader, "topic", topics)
    _check_unique(loader, "entity", entities)
    _check_unique(loader, "snippet", snippets)
    _check_unique(loader, "event", events)
    _check_unique(loader, "quote", quotes)
    _check_unique(loader, "disagreement", disagreements)

    topic_ids = {loc.item.id for loc in topics}
    entity_ids = {loc.item.id for loc in entities}
    _check_references(loader, snippets, events, quotes, disagreements, topic_ids, entity_ids)
    for loc in topics:
        if loc.item.party is not None and loc.item.party not in entity_ids:
            loader.problem(loc.file, loc.item.id, f"party: unknown entity '{loc.item.party}'", loc.line)
    for loc in entities:
        for ref in loc.item.stands_for:
            if ref not in entity_ids or ref == loc.item.id:
                loader.problem(loc.file, loc.item.id, f"stands_for: unknown entity '{ref}'", loc.line)
    _check_asks(loader, asks, {loc.item.id for loc in snippets}, entity_ids, topic_ids)
    _check_asks(loader, unasked, set(), set(), topic_ids, only="topic")
    _check_answered_and_unanswered(loader, asks, unasked)
    if seeds.is_dir():
        _check_citations(loader, articles, [*snippets, *events, *quotes, *disagreements])
        _check_entities_grounded(loader, entities, articles)
        _check_own_words(loader, [*sources, *topics, *entities, *snippets, *events, *quotes, *disagreements], articles)
        _check_certainty(loader, articles, entities, [*snippets, *events], quotes)

    if front is not None:
        snippet_ids = {loc.item.id for loc in snippets}
        for ref in front.brief:
            if ref not in snippet_ids:
                loader.problem(loader.rel(front_path), None, f"brief: unknown snippet '{ref}'")
        if not 1 <= len(front.brief) <= 8:
            loader.problem(loader.rel(front_path), None, f"brief: {len(front.brief)} key points; give 1 to 8")

    coverage = _coverage(articles, [loc.item for loc in snippets])
    result = LoadResult(briefing=None, problems=loader.problems, articles=articles, coverage=coverage)
    if front is None:
        return result
    result.briefing = Briefing(
        version=f"{front.version}+{loader.digest.hexdigest()[:12]}",
        title=front.title,
        sources=tuple(loc.item for loc in sources),
        topics=tuple(loc.item for loc in topics),
        entities=tuple(loc.item for loc in entities),
        snippets=tuple(loc.item for loc in snippets),
        events=tuple(sorted((loc.item for loc in events), key=lambda e: e.order)),
        quotes=tuple(loc.item for loc in quotes),
        disagreements=tuple(loc.item for loc in disagreements),
        brief=tuple(front.brief),
        synonyms=synonyms,
        asks=tuple(loc.item for loc in asks),
        unasked=tuple(loc.item for loc in unasked),
    )
    return result


def load_briefing(root: Path, briefings: Path | None = None, seeds: Path | None = None) -> Briefing:
    """The briefing, or BriefingInvalid listing every problem: what the bot serves from."""
    result = load(root, briefings, seeds)
    if not result.ok or result.briefing is None:
        raise BriefingInvalid(result.problems)
    return result.briefing


def _load_list(loader: _Loader, path: Path, key: str, model: type[M]) -> list[Located]:
    if not path.exists() and not path.is_symlink():
        loader.problem(loader.rel(path), None, f"missing: it holds the briefing's {key}")
        return []
    data = loader.read(path)
    if data is None and any(p.file == loader.rel(path) for p in loader.problems):
        return []  # unreadable: already said why
    return list(loader.items(path, data, key, model))


def _load_asks(loader: _Loader, path: Path, key: str) -> list[Located]:
    """asks.yaml (optional): `asks:` maps an item's id to the questions readers would ask of it;
    unasked.yaml (optional): `unasked:` maps "topic:<id>" to questions of that topic no article answers."""
    if not path.exists():
        return []
    data = loader.read(path)
    if data is None:
        return []
    file = loader.rel(path)
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], dict):
        found = _kind(data.get(key)) if isinstance(data, dict) and key in data else _kind(data)
        expected = f"expected a mapping with one key, '{key}:', mapping ids to questions"
        loader.problem(file, None, f"{expected}; found {found}")
        return []
    mapping = data[key]
    line = getattr(mapping, "line", None)
    located = []
    for item_id, questions in mapping.items():
        try:
            located.append(Located(file, line, Asks.model_validate({"id": item_id, "questions": questions})))
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"]) or "item"
                loader.problem(file, str(item_id), f"{loc}: {error['msg']}", line)
    return located


def _load_synonyms(loader: _Loader, path: Path) -> tuple[tuple[str, ...], ...]:
    if not path.exists():
        return ()
    data = loader.read(path)
    if data is None:
        return ()
    parsed = loader.one(path, data, _Synonyms)
    if parsed is None:
        return ()
    groups = tuple(tuple(word.strip().lower() for word in group) for group in parsed.synonyms)
    for index, group in enumerate(groups):
        if len(group) < 2:
            loader.problem(loader.rel(path), f"group #{index + 1}", "a synonym group needs at least two words")
        for word in group:
            opposite = next((o for o in group if o in {p + word for p in _NEGATIONS}), None)
            if opposite:
                loader.problem(
                    loader.rel(path),
                    f"group #{index + 1}",
                    f"“{word}” and “{opposite}” are opposites: put them in two groups",
                )
    return groups


# Prefixes that turn a word into its opposite: a synonym group joining both would answer
# "was Russia willing" with what the articles say about unwillingness.
_NEGATIONS = ("un", "in", "im", "il", "ir", "dis", "non", "non-")


def _load_sources(loader: _Loader) -> Iterator[Located]:
    metas = sorted(loader.seeds.glob("*.yaml"))
    described = set()
    for path in metas:
        data = loader.read(path)
        if data is None:
            if not any(p.file == loader.rel(path) for p in loader.problems):
                loader.problem(loader.rel(path), None, "empty: expected the article's metadata (id:, file:, …)")
            continue
        source = loader.one(path, data, Source)
        if source is None:
            continue
        described.add(source.file)
        if Path(source.file).name != source.file or source.file in {".", ".."}:
            loader.problem(loader.rel(path), source.id, f"file: {source.file!r} must be a file name in seeds/")
            continue
        if not (loader.seeds / source.file).exists():
            loader.problem(loader.rel(path), source.id, f"file: {source.file} does not exist in seeds/")
            continue
        yield Located(loader.rel(path), getattr(data, "line", None), source)
    for article in sorted(loader.seeds.glob("*.txt")):
        if article.name not in described:
            loader.problem(loader.rel(article), None, "no metadata file in seeds/ describes this article")


def _article(loader: _Loader, source: Source) -> Article | None:
    path = loader.seeds / source.file
    raw = loader.text(path)
    if raw is None:
        return None
    norm_raw = normalise(raw)
    for piece in (*source.not_article_text, *source.headings):
        if normalise(piece) not in norm_raw:
            loader.problem(loader.rel(path), source.id, f"metadata names text that is not in the file: {piece!r}")
    lines = article_lines(raw, source.not_article_text)
    headings = {normalise(h) for h in source.headings}
    every: list[str] = []
    factual: list[str] = []
    for line in lines:
        if line in headings:
            every.append(line)
            continue
        for sentence in sentences(line):
            every.append(sentence)
            factual.append(sentence)
    positions: dict[str, list[int]] = {}
    for index, sentence in enumerate(every):
        positions.setdefault(sentence, []).append(index)
    return Article(
        source=source,
        body=" ".join(lines),
        sentences=tuple(factual),
        all_sentences=tuple(every),
        positions={sentence: tuple(found) for sentence, found in positions.items()},
    )


def _check_asks(
    loader: _Loader,
    asks: list[Located],
    snippet_ids: set[str],
    entity_ids: set[str],
    topic_ids: set[str],
    only: str | None = None,
) -> None:
    """Each list of reader questions is for a snippet, an entity's card or a topic's card that exists
    (`only`: of that kind alone)."""
    for loc in asks:
        kind, _, ref = loc.item.id.rpartition(":")
        if only is not None and kind != only:
            loader.problem(loc.file, loc.item.id, f"id: expected '{only}:<id>'", loc.line)
            continue
        known = {"": snippet_ids, "entity": entity_ids, "topic": topic_ids}[kind]
        if ref not in known:
            what = {"": "snippet", "entity": "entity", "topic": "topic"}[kind]
            loader.problem(loc.file, loc.item.id, f"id: unknown {what} '{ref}'", loc.line)
        for number, question in enumerate(loc.item.questions, 1):
            if not any(c.isalnum() for c in question):
                loader.problem(loc.file, loc.item.id, f"questions.{number}: holds no word", loc.line)


def _check_answered_and_unanswered(loader: _Loader, asks: list[Located], unasked: list[Located]) -> None:
    """A question both answered by an item and listed as one no article answers teaches the engine
    both ways at once: one of the two is wrong."""

    def same(question: str) -> str:
        return " ".join(question.lower().split())

    answered: dict[str, str] = {}
    for loc in asks:
        for question in loc.item.questions:
            answered.setdefault(same(question), loc.item.id)
    for loc in unasked:
        for number, question in enumerate(loc.item.questions, 1):
            item = answered.get(same(question))
            if item is not None:
                message = f"questions.{number}: '{question}' is also a question {item} answers (asks.yaml)"
                loader.problem(loc.file, loc.item.id, message, loc.line)


def _check_unique(loader: _Loader, kind: str, located: list[Located]) -> None:
    seen: dict[str, Located] = {}
    for loc in located:
        first = seen.setdefault(loc.item.id, loc)
        if first is not loc:
            where = f"{first.file}:{first.line}" if first.line else first.file
            loader.problem(loc.file, loc.item.id, f"duplicate {kind} id (first defined at {where})", loc.line)


def _check_references(
    loader: _Loader,
    snippets: list[Located],
    events: list[Located],
    quotes: list[Located],
    disagreements: list[Located],
    topic_ids: set[str],
    entity_ids: set[str],
) -> None:
    def need(loc: Located, kind: str, ref: str | None, known: set[str], what: str) -> None:
        if ref is not None and ref not in known:
            loader.problem(loc.file, loc.item.id, f"{what}: unknown {kind} '{ref}'", loc.line)

    for loc in snippets:
        snippet: Snippet = loc.item
        need(loc, "topic", snippet.topic, topic_ids, "topic")
        need(loc, "entity", snippet.speaker, entity_ids, "speaker")
        for ref in snippet.entities:
            need(loc, "entity", ref, entity_ids, "entities")
    for loc in events:
        need(loc, "entity", loc.item.speaker, entity_ids, "speaker")
        for ref in loc.item.entities:
            need(loc, "entity", ref, entity_ids, "entities")
    for loc in quotes:
        need(loc, "entity", loc.item.speaker, entity_ids, "speaker")
        need(loc, "topic", loc.item.topic, topic_ids, "topic")
    for loc in disagreements:
        need(loc, "topic", loc.item.topic, topic_ids, "topic")


def _citations(item: Any) -> Iterable[Citation]:
    if isinstance(item, Snippet | Event):
        return item.sources
    if isinstance(item, Quote):
        return (item.source,)
    if isinstance(item, Disagreement):
        return tuple(side.source for side in item.sides)
    return ()


# Quotes whose failure is explained in detail (the search for a near match reads the whole article).
_EXPLAINED = 50


def _check_citations(loader: _Loader, articles: dict[str, Article], located: list[Located]) -> None:
    explained = 0
    for loc in located:
        for citation in _citations(loc.item):
            article = articles.get(citation.article)
            if article is None:
                loader.problem(loc.file, loc.item.id, f"sources: unknown article '{citation.article}'", loc.line)
                continue
            quoted = quote_sentences(citation.quote)
            if article.locate(quoted) is not None:
                continue
            where = f"{citation.article} ({article.source.file})"
            shown = clip(normalise(citation.quote), 80)
            message = f"quote not found in {where}: {shown!r}"
            if explained < _EXPLAINED:
                explained += 1
                if all(s in article.positions for s in quoted):
                    message = f"quote's sentences are in {where} but not one after another: {shown!r}"
                elif normalise(citation.quote) in article.body:
                    message = (
                        f"quote is part of a sentence of {where}: cite whole sentences, from the first word to the "
                        f"full stop: {shown!r}"
                    )
            loader.problem(loc.file, loc.item.id, message, loc.line)


_WORD = re.compile(r"\w+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalise(text).casefold()))


def _check_entities_grounded(loader: _Loader, entities: list[Located], articles: dict[str, Article]) -> None:
    """Every entity is named in an article: some spelling occurs there as whole words."""
    if not articles:
        return
    wanted = {words for loc in entities for s in loc.item.spellings if (words := _words(s))}
    lengths: dict[str, set[int]] = {}
    for words in wanted:
        lengths.setdefault(words[0], set()).add(len(words))
    found: set[tuple[str, ...]] = set()
    for article in articles.values():
        tokens = _words(article.body)
        for index, token in enumerate(tokens):
            for length in lengths.get(token, ()):
                found.add(tokens[index : index + length])
    for loc in entities:
        entity: Entity = loc.item
        if not any(_words(s) in found for s in entity.spellings):
            loader.problem(loc.file, entity.id, "neither the name nor any alias occurs in an article", loc.line)


def _our_words(item: Any) -> Iterator[tuple[str, str]]:
    """(field, text) for every text of an item that is written in our own words."""
    if isinstance(item, Snippet):
        yield from (("title", item.title), ("text", item.text))
    elif isinstance(item, Event):
        yield "text", item.text
    elif isinstance(item, Disagreement):
        yield from (("title", item.title), ("text", item.text))
        yield from ((f"sides.{n}.claim", side.claim) for n, side in enumerate(item.sides))
    elif isinstance(item, Quote):
        yield "context", item.context
    elif isinstance(item, Entity):
        yield "role", item.role
    elif isinstance(item, Topic | Source):
        yield "summary", item.summary


def _check_own_words(loader: _Loader, located: list[Located], articles: dict[str, Article]) -> None:
    """Our texts are our own words: an article sentence, even with a word or two changed, belongs in a quote."""
    finder = CopyFinder(
        {source_id: article.body for source_id, article in articles.items()},
        {source_id: article.sentences for source_id, article in articles.items()},
    )
    for loc in located:
        for field_name, text in _our_words(loc.item):
            for copy in finder.copies(text):
                how = "verbatim" if not copy.changed else f"with only {copy.changed} of its {copy.length} words changed"
                if copy.narration:
                    how += " (the reporter's words around its quotation)"
                loader.problem(
                    loc.file,
                    loc.item.id,
                    f"{field_name} copies a sentence of {copy.article} {how}: say it in our own words (the sentence "
                    f"belongs in sources): {clip(normalise(copy.sentence), 80)!r}",
                    loc.line,
                )


def _check_certainty(
    loader: _Loader, articles: dict[str, Article], entities: list[Located], items: list[Located], quotes: list[Located]
) -> None:
    try:
        lexicon = load_lexicon()
    except YamlProblem as exc:
        message = f"the certainty rules' word list cannot be used: {exc.message}"
        loader.problem(str(HEDGES_PATH), None, message, exc.line)
        return
    spellings = {loc.item.id: loc.item.spellings for loc in entities}

    def report(loc: Located, message: str) -> None:
        loader.problem(loc.file, loc.item.id, message, loc.line)

    check_certainty(lexicon, articles, spellings, items, quotes, report)


def _coverage(articles: dict[str, Article], snippets: list[Snippet]) -> list[ArticleCoverage]:
    cited: dict[str, set[str]] = {source_id: set() for source_id in articles}
    for snippet in snippets:
        for citation in snippet.sources:
            cited.setdefault(citation.article, set()).update(quote_sentences(citation.quote))
    report = []
    for source_id, article in articles.items():
        uncovered = tuple(s for s in article.sentences if s not in cited[source_id])
        report.append(ArticleCoverage(source_id, len(article.sentences), uncovered))
    return report
