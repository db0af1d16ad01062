"""Own words: the briefing's texts must not copy an article sentence, verbatim or nearly so.

A text sentence copies an article sentence when it repeats that sentence's words in the same order
with only a few of them changed, left out or moved: at most 2 words, or 15% of a longer sentence
(a 29-word sentence with 4 words changed is still the article's sentence). Words are compared with
rapidfuzz's longest common subsequence over word tokens (case, punctuation and typography ignored),
so words added around the copy ("According to one analysis, …") do not hide it.

Words our text puts in quotation marks are left out when the article quotes them too: quoting a
speaker ("pay a price") is not copying the reporter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

from bot.briefing.text import normalise, quoted_spans, sentences

# Shorter sentences ("Both sides denied it.") may recur in our own words by coincidence (counted as
# the sentence's words joined by single spaces).
MIN_CHARS = 50
# From this many words on, a sentence with a few words changed is still a copy; a shorter one is a
# copy only when every word is repeated in order.
CHANGED_FROM_WORDS = 10
# How many of its words may differ while a sentence stays a copy: this many, or the share below of a
# longer sentence, whichever is more.
CHANGED_WORDS = 2
CHANGED_SHARE = 0.15

# A word, with the apostrophes and hyphens inside it: "Kim's", "Kim-Putin" and "high-tech" are one word each.
_WORD = re.compile(r"\w+(?:['-]\w+)*")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text).casefold())


def allowed_changes(length: int) -> int:
    """How many of an article sentence's `length` words a copy may change."""
    return 0 if length < CHANGED_FROM_WORDS else max(CHANGED_WORDS, int(CHANGED_SHARE * length))


@dataclass(frozen=True)
class Copy:
    article: str
    sentence: str
    # Words of the article sentence (or of its narration) that the text does not repeat in order.
    changed: int
    length: int
    # True when the copied words are the reporter's around a quotation, not the whole sentence.
    narration: bool = False


@dataclass(frozen=True)
class _Sentence:
    article: str
    text: str
    words: tuple[str, ...]
    distinct: frozenset[str]
    allowed: int
    narration: bool


class CopyFinder:
    """Finds, for a text, the article sentences it copies."""

    def __init__(self, bodies: Mapping[str, str], sentences_of: Mapping[str, Sequence[str]]) -> None:
        """`bodies`: each article's text, normalised; `sentences_of`: its sentences, normalised, in order."""
        self.sentences: list[_Sentence] = []
        quoted: list[str] = []
        for article, body in bodies.items():
            spans = quoted_spans(body)
            quoted.extend(body[start:end] for start, end in spans)
            for sentence, narration in _with_narration(body, spans, sentences_of.get(article, ())):
                self._add(article, sentence, sentence, narration=False)
                if narration != sentence:
                    # Around a quotation, the reporter's own words are a sentence of their own to copy.
                    self._add(article, sentence, narration, narration=True)
        self.quoted = tuple(" ".join(words(q)) for q in quoted)
        # A copy misses at most `allowed` of a sentence's distinct words, so it holds at least one of any
        # allowed + 1 of them: index each sentence under its allowed + 1 rarest words only.
        frequency: dict[str, int] = {}
        for s in self.sentences:
            for word in s.distinct:
                frequency[word] = frequency.get(word, 0) + 1
        self.anchors: dict[str, list[int]] = {}
        for index, s in enumerate(self.sentences):
            for word in sorted(s.distinct, key=lambda w: (frequency[w], w))[: s.allowed + 1]:
                self.anchors.setdefault(word, []).append(index)

    def _add(self, article: str, sentence: str, compared: str, narration: bool) -> None:
        tokens = tuple(words(compared))
        if len(" ".join(tokens)) >= MIN_CHARS:
            self.sentences.append(
                _Sentence(article, sentence, tokens, frozenset(tokens), allowed_changes(len(tokens)), narration)
            )

    def copies(self, text: str) -> list[Copy]:
        found: dict[str, Copy] = {}
        for own in sentences(self._unquoted(normalise(text))):
            tokens = words(own)
            present = set(tokens)
            candidates = {i for word in present for i in self.anchors.get(word, ())}
            for index in sorted(candidates):
                s = self.sentences[index]
                if len(s.distinct - present) > s.allowed or s.text in found:
                    continue
                changed = len(s.words) - LCSseq.similarity(s.words, tokens)
                if changed <= s.allowed:
                    found[s.text] = Copy(s.article, s.text, changed, len(s.words), s.narration)
        return list(found.values())

    def _unquoted(self, text: str) -> str:
        """`text` without the words it quotes from an article's quotations."""
        for start, end in reversed(quoted_spans(text)):
            said = " ".join(words(text[start:end]))
            if said and any(f" {said} " in f" {q} " for q in self.quoted):
                text = text[: start - 1] + "\u2026" + text[end + 1 :]
        return text


def _with_narration(body: str, spans: Sequence[tuple[int, int]], found: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Each sentence with its narration: the sentence without the words inside quotation marks (a
    quotation may run over several sentences, so the marks are found in the whole text)."""
    position = 0
    for sentence in found:
        at = body.find(sentence, position)
        if at < 0:
            yield sentence, sentence
            continue
        position = at + len(sentence)
        chars = list(sentence)
        for start, end in spans:
            low, high = max(start, at) - at, min(end, position) - at
            if low < high:
                chars[low:high] = " " * (high - low)
        yield sentence, "".join(chars)
