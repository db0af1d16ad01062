"""Certainty rules: a label says no more than the sentences it cites, and words go to their speaker.

The words that show a sentence hedges, attributes or reads a motive live in `hedges.yaml` beside this
module; the rules are explained to curators in briefings/README.md ("Certainty").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.briefing.models import Certainty, Citation, Event, Quote, Snippet
from bot.briefing.text import normalise, quote_sentences, quoted_spans
from bot.briefing.yamlfile import YamlProblem, read_yaml
from bot.limits import clip

if TYPE_CHECKING:
    from bot.briefing.load import Article, Located

HEDGES_PATH = Path(__file__).with_name("hedges.yaml")

# How each kind of word is named in a message.
_KIND = {"hedge": "hedges", "attribution": "attributes it", "source": "names a source", "intent": "reads a motive"}
_SHOWN = 3


class _HedgeFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    hedge: list[str]
    attribution: list[str]
    source: list[str]
    intent: list[str]


@dataclass(frozen=True)
class Lexicon:
    """One compiled pattern per kind of word."""

    patterns: dict[str, re.Pattern[str]]

    def find(self, sentence: str) -> list[tuple[str, str]]:
        """(kind, word as written) for every listed word in the sentence, in the file's order of kinds."""
        found: list[tuple[str, str]] = []
        for kind, pattern in self.patterns.items():
            seen: set[str] = set()
            for match in pattern.finditer(sentence):
                word = match.group(0)
                if word.lower() not in seen:
                    seen.add(word.lower())
                    found.append((kind, word))
        return found


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    parts = []
    for word in sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True):
        stem = word.rstrip("*")
        body = r"\s+".join(re.escape(piece) for piece in stem.split())
        parts.append(body + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


def load_lexicon(path: Path = HEDGES_PATH) -> Lexicon:
    """The word lists; raises YamlProblem naming what is wrong with the file."""
    data, problems = read_yaml(path)
    if problems:
        raise problems[0]
    try:
        parsed = _HedgeFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise YamlProblem(f"{'.'.join(map(str, first['loc'])) or 'file'}: {first['msg']}", None) from exc
    return Lexicon({kind: _pattern(getattr(parsed, kind)) for kind in _KIND})


@dataclass(frozen=True)
class _Cited:
    article: str
    sentence: str
    # The article's sentence just before this one (the "he" of "He emphasized…" is named there).
    before: str
    words: list[tuple[str, str]]


Report = Callable[["Located", str], None]


class CertaintyRules:
    def __init__(
        self, lexicon: Lexicon, articles: dict[str, Article], spellings: dict[str, tuple[str, ...]], report: Report
    ) -> None:
        self.lexicon = lexicon
        self.articles = articles
        self.spellings = spellings
        self.names = {
            entity_id: re.compile(
                "|".join(r"(?<![\w-])" + re.escape(normalise(s)) + r"(?![\w-])" for s in names), re.IGNORECASE
            )
            for entity_id, names in spellings.items()
            if names
        }
        self.report = report
        # The words found in each sentence: the same sentences are cited again and again.
        self._words: dict[str, list[tuple[str, str]]] = {}

    def cited(self, citations: Sequence[Citation]) -> list[_Cited]:
        out = []
        for citation in citations:
            article = self.articles.get(citation.article)
            if article is None:
                continue  # reported by the citation check
            quoted = quote_sentences(citation.quote)
            start = article.locate(quoted)
            for offset, sentence in enumerate(quoted):
                before = article.all_sentences[start + offset - 1] if start is not None and start + offset > 0 else ""
                words = self._words.get(sentence)
                if words is None:
                    words = self._words[sentence] = self.lexicon.find(sentence)
                out.append(_Cited(citation.article, sentence, before, words))
        return out

    def names_speaker(self, speaker: str, cited: Sequence[_Cited]) -> bool:
        pattern = self.names.get(speaker)
        return pattern is not None and any(pattern.search(c.sentence) or pattern.search(c.before) for c in cited)

    def check_item(self, loc: Located) -> None:
        item: Snippet | Event = loc.item
        cited = self.cited(item.sources)
        self._confirmed(loc, item, cited)
        self._joined(loc, item, cited)
        self._claim(loc, item, cited)

    def _confirmed(self, loc: Located, item: Snippet | Event, cited: list[_Cited]) -> None:
        flagged = [c for c in cited if c.words]
        if item.certainty is Certainty.confirmed and flagged and item.confirmed_because is None:
            shown = "; ".join(_describe(c) for c in flagged[:_SHOWN])
            more = f"; and {len(flagged) - _SHOWN} more" if len(flagged) > _SHOWN else ""
            self.report(
                loc,
                f"labelled confirmed, but {len(flagged)} cited sentence(s) do not state it outright: {shown}{more}. "
                "Label it as the weakest sentence (reported, claim, analysis or speculation), or say in "
                "confirmed_because: why it is confirmed anyway",
            )
        elif item.confirmed_because is not None and item.certainty is not Certainty.confirmed:
            self.report(loc, "confirmed_because: only an item labelled confirmed needs it; remove it")
        elif item.confirmed_because is not None and not flagged:
            self.report(loc, "confirmed_because: no cited sentence hedges or attributes any more; remove it")

    def _joined(self, loc: Located, item: Snippet | Event, cited: list[_Cited]) -> None:
        guesses = [c for c in cited if c.words]
        guessing = {c.article for c in guesses}
        plain = [c for c in cited if not c.words and c.article not in guessing]
        needed = item.certainty is Certainty.speculation and bool(guesses) and bool(plain)
        if needed and item.joined_because is None:
            self.report(
                loc,
                f"labelled speculation, but beside {_describe(guesses[0])} it cites {plain[0].article}'s plain "
                f"statement {clip(plain[0].sentence, 90)!r}: a reader may take the one for the other. Split it, or "
                "say in joined_because: why they belong together",
            )
        elif item.joined_because is not None and not needed and len({c.article for c in cited}) < 2:
            # Beside a guess, the note also says why two articles' statements are taken together where
            # the articles do not say so (two spellings taken to be one official): that needs two articles.
            self.report(loc, "joined_because: it cites one article only, so it joins nothing; remove it")

    def _claim(self, loc: Located, item: Snippet | Event, cited: list[_Cited]) -> None:
        if item.certainty is Certainty.claim:
            if item.speaker is None:
                self.report(loc, "certainty 'claim' needs a speaker (an entity id)")
            elif item.speaker in self.spellings and not self.names_speaker(item.speaker, cited):
                self.report(
                    loc,
                    f"claim by '{item.speaker}', but no cited sentence (or the sentence before it) names "
                    f"{self.spellings[item.speaker][0]}: attribute it as the article does",
                )
        elif item.speaker is not None:
            self.report(loc, f"speaker: only a claim has a speaker, and this is labelled {item.certainty.value}")

    def check_quote(self, loc: Located) -> None:
        quote: Quote = loc.item
        cited = self.cited((quote.source,))
        if not cited:
            return
        # The cited sentences as one text: a quotation may run over several of them (Peskov's does).
        text = " ".join(c.sentence for c in cited)
        spans = quoted_spans(text)
        if not spans:
            self.report(
                loc,
                "the cited sentence(s) put no words in quotation marks: a quote card holds the speaker's own "
                'words as the article quotes them. Report indirect speech ("Lim emphasized that…") as a claim '
                "snippet instead (certainty: claim, speaker: …)",
            )
            return
        quoted = [text[start:end] for start, end in spans]
        if normalise(quote.words) not in quoted:
            shown = "; ".join(repr(clip(q, 90)) for q in quoted[:_SHOWN])
            self.report(
                loc,
                f"words: {clip(normalise(quote.words), 90)!r} are not the words the cited sentence(s) put inside "
                f"quotation marks, which are: {shown}. Give exactly those words, without the marks",
            )
        # The speaker is named outside the marks (or in the sentence before), not inside someone's words.
        outside = _blank(text, spans)
        pattern = self.names.get(quote.speaker)
        if pattern is not None and not (pattern.search(outside) or pattern.search(cited[0].before)):
            self.report(
                loc,
                f"speaker '{quote.speaker}': the article does not name {self.spellings[quote.speaker][0]} outside "
                "the quotation marks of the quoted sentence(s) or in the sentence before; give the words to the "
                "speaker the article gives them to",
            )


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the words inside quotation marks replaced by spaces."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _describe(cited: _Cited) -> str:
    kinds: dict[str, list[str]] = {}
    for kind, word in cited.words:
        kinds.setdefault(kind, []).append(word)
    how = ", ".join(f"{_KIND[kind]} ({', '.join(repr(w) for w in words)})" for kind, words in kinds.items())
    return f"{cited.article} {how}: {clip(cited.sentence, 90)!r}"


def check_certainty(
    lexicon: Lexicon,
    articles: dict[str, Article],
    spellings: dict[str, tuple[str, ...]],
    items: Sequence[Located],
    quotes: Sequence[Located],
    report: Report,
) -> None:
    rules = CertaintyRules(lexicon, articles, spellings, report)
    for loc in items:
        rules.check_item(loc)
    for loc in quotes:
        rules.check_quote(loc)
