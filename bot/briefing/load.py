"""Load `seeds/` and `briefings/` into one validated `Briefing`, collecting every problem at once.

Validation happens item by item so that one bad snippet names itself and the rest still load;
then references, quotes and coverage are checked across files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.briefing.models import (
    Briefing,
    Certainty,
    Citation,
    Disagreement,
    Entity,
    Event,
    Quote,
    Snippet,
    Source,
    Topic,
)
from bot.briefing.text import article_lines, normalise, sentences
from bot.briefing.yamlfile import LineDict, YamlProblem, read_yaml
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
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def problem(self, file: str, item: str | None, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(file, item, message, line))

    def read(self, path: Path) -> Any:
        self.digest.update(self.rel(path).encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            return read_yaml(path)
        except YamlProblem as exc:
            self.problem(self.rel(path), None, exc.message, exc.line)
            return None

    def items(self, path: Path, data: Any, key: str, model: type[M]) -> Iterator[Located]:
        """Validate the list under `key`, yielding each good item; bad ones become problems."""
        file = self.rel(path)
        if data is None:
            return
        if not isinstance(data, dict) or key not in data:
            self.problem(file, None, f"expected a mapping with a '{key}:' list at the top")
            return
        unknown = sorted(set(data) - {key})
        if unknown:
            self.problem(file, None, f"unknown top-level key(s): {', '.join(map(str, unknown))}")
        entries = data[key]
        if not isinstance(entries, list):
            self.problem(file, None, f"'{key}' must be a list")
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
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"]) or "file"
                self.problem(file, None, f"{loc}: {error['msg']}", getattr(data, "line", None))
            return None


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

    sources = list(_load_sources(loader))
    articles = {loc.item.id: _article(loader, loc.item) for loc in sources}

    front_path = briefings / "briefing.yaml"
    front = None
    topics: list[Located] = []
    if not front_path.exists():
        loader.problem(loader.rel(front_path), None, "missing: it holds the version, title and topics")
    else:
        front_data = loader.read(front_path)
        if front_data is not None:
            front = loader.one(front_path, {k: v for k, v in front_data.items()}, _Front)
            if front is not None:
                topics = list(loader.items(front_path, {"topics": front.topics}, "topics", Topic))

    entities = _load_list(loader, briefings / "entities.yaml", "entities", Entity)
    snippet_files = sorted((briefings / "snippets").glob("*.yaml"))
    if not snippet_files:
        loader.problem(loader.rel(briefings / "snippets"), None, "no snippet files (*.yaml) found")
    snippets = [loc for path in snippet_files for loc in _load_list(loader, path, "snippets", Snippet)]
    events = _load_list(loader, briefings / "timeline.yaml", "events", Event)
    quotes = _load_list(loader, briefings / "quotes.yaml", "quotes", Quote)
    disagreements = _load_list(loader, briefings / "disagreements.yaml", "disagreements", Disagreement)
    synonyms = _load_synonyms(loader, briefings / "synonyms.yaml")

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
    _check_citations(loader, articles, [*snippets, *events, *quotes, *disagreements])
    _check_entities_grounded(loader, entities, articles)
    _check_own_words(loader, [*snippets, *events, *disagreements], articles)

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
    )
    return result


def load_briefing(root: Path, briefings: Path | None = None, seeds: Path | None = None) -> Briefing:
    """The briefing, or BriefingInvalid listing every problem: what the bot serves from."""
    result = load(root, briefings, seeds)
    if not result.ok or result.briefing is None:
        raise BriefingInvalid(result.problems)
    return result.briefing


def _load_list(loader: _Loader, path: Path, key: str, model: type[M]) -> list[Located]:
    if not path.exists():
        loader.problem(loader.rel(path), None, f"missing: it holds the briefing's {key}")
        return []
    return list(loader.items(path, loader.read(path), key, model))


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
    return groups


def _load_sources(loader: _Loader) -> Iterator[Located]:
    metas = sorted(loader.seeds.glob("*.yaml"))
    described = set()
    for path in metas:
        data = loader.read(path)
        if data is None:
            continue
        source = loader.one(path, data, Source)
        if source is None:
            continue
        described.add(source.file)
        if not (loader.seeds / source.file).is_file():
            loader.problem(loader.rel(path), source.id, f"file: {source.file} does not exist in seeds/")
            continue
        yield Located(loader.rel(path), getattr(data, "line", None), source)
    for article in sorted(loader.seeds.glob("*.txt")):
        if article.name not in described:
            loader.problem(loader.rel(article), None, "no metadata file in seeds/ describes this article")


def _article(loader: _Loader, source: Source) -> Article:
    path = loader.seeds / source.file
    raw = path.read_text(encoding="utf-8")
    loader.digest.update(source.file.encode() + b"\0" + raw.encode() + b"\0")
    norm_raw = normalise(raw)
    for piece in (*source.not_article_text, *source.headings):
        if normalise(piece) not in norm_raw:
            loader.problem(loader.rel(path), source.id, f"metadata names text that is not in the file: {piece!r}")
    lines = article_lines(raw, source.not_article_text)
    headings = {normalise(h) for h in source.headings}
    factual = [s for line in lines if line not in headings for s in sentences(line)]
    return Article(source=source, body=" ".join(lines), sentences=tuple(factual))


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
        if snippet.certainty is Certainty.claim and snippet.speaker is None:
            loader.problem(loc.file, snippet.id, "certainty 'claim' needs a speaker (an entity id)", loc.line)
    for loc in events:
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


def _check_citations(loader: _Loader, articles: dict[str, Article], located: list[Located]) -> None:
    for loc in located:
        for citation in _citations(loc.item):
            article = articles.get(citation.article)
            if article is None:
                loader.problem(loc.file, loc.item.id, f"sources: unknown article '{citation.article}'", loc.line)
            elif normalise(citation.quote) not in article.body:
                loader.problem(
                    loc.file,
                    loc.item.id,
                    f"quote not found in {citation.article} ({article.source.file}): "
                    f"{clip(normalise(citation.quote), 80)!r}",
                    loc.line,
                )


def _check_entities_grounded(loader: _Loader, entities: list[Located], articles: dict[str, Article]) -> None:
    bodies = " ".join(article.body for article in articles.values()).casefold()
    for loc in entities:
        entity: Entity = loc.item
        if articles and not any(normalise(s).casefold() in bodies for s in entity.spellings):
            loader.problem(loc.file, entity.id, "neither the name nor any alias occurs in an article", loc.line)


# Shorter sentences ("Both sides denied it.") may recur in our own words by coincidence.
_COPY_MIN_CHARS = 50


def _check_own_words(loader: _Loader, located: list[Located], articles: dict[str, Article]) -> None:
    """Text is our own words: a whole article sentence belongs in a quote, not in the text."""
    long_sentences = [(a.source.id, s) for a in articles.values() for s in a.sentences if len(s) >= _COPY_MIN_CHARS]
    for loc in located:
        text = normalise(loc.item.text)
        for source_id, sentence in long_sentences:
            if sentence in text:
                loader.problem(
                    loc.file,
                    loc.item.id,
                    f"text copies a sentence of {source_id} verbatim (quote it in sources instead): "
                    f"{clip(sentence, 80)!r}",
                    loc.line,
                )


def _coverage(articles: dict[str, Article], snippets: list[Snippet]) -> list[ArticleCoverage]:
    quotes: dict[str, list[str]] = {source_id: [] for source_id in articles}
    for snippet in snippets:
        for citation in snippet.sources:
            quotes.setdefault(citation.article, []).append(normalise(citation.quote))
    report = []
    for source_id, article in articles.items():
        cited = quotes[source_id]
        uncovered = tuple(s for s in article.sentences if not any(s in q for q in cited))
        report.append(ArticleCoverage(source_id, len(article.sentences), uncovered))
    return report
