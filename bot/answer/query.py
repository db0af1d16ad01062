"""Understanding a question: its intent, the entities it names, and which of its words the briefing knows."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.answer.index import Index, Spelling, initial
from bot.answer.tokens import QUESTION_WORDS, STOPWORDS, is_framing, stem, words

_QUOTE_WORDS = frozenset({"say", "said", "says", "quote", "quoted", "quotes", "statement", "remarks", "comment"})
# A question that opens by asking for a measure ("how far is …"), not one asking whether a measure
# was given ("did Seoul say how far the missile flew").
_COUNT = re.compile(r"\s*(?:and |so )?how (many|much|long|far|big|large|old|tall|high|heavy|often)\b|.*\bnumber of\b")
_WHEN = re.compile(r"\bwhen\b|\bwhat (day|date|time|month|year)\b")


def max_edits(word: str) -> int:
    """Typo tolerance for names: it grows with the word, none for short ones."""
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 7 else 2


def max_word_edits(word: str) -> int:
    """Typo tolerance for other words: stricter, since one edit turns many short English words into
    another word of the briefing ("prime" → "price", "scores" → "stores")."""
    if len(word) <= 5:
        return 0
    return 1 if len(word) <= 8 else 2


@dataclass(frozen=True)
class EntityMention:
    entity_id: str
    start: int
    end: int
    edits: int


@dataclass(frozen=True)
class Word:
    """A content word of the question and how the briefing knows it."""

    text: str
    how: str  # "word", "synonym", "typo", "entity" or "unknown"
    weight: float  # its rarity (idf): how much it says about what is asked
    # The index terms whose presence in a snippet counts as the snippet speaking of this word.
    stems: tuple[str, ...] = ()
    entity_id: str | None = None
    framing: bool = False

    @property
    def known(self) -> bool:
        return self.how != "unknown"

    @property
    def names_the_subject(self) -> bool:
        """Neither an entity nor a framing word: what a who-question's answer must speak of."""
        return self.entity_id is None and not self.framing


@dataclass
class Query:
    text: str
    words: list[str]
    intents: set[str] = field(default_factory=set)
    entities: list[EntityMention] = field(default_factory=list)
    content: list[Word] = field(default_factory=list)
    # (stem, query weight) pairs to score with.
    terms: list[tuple[str, float]] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        """The share of the question's information (idf mass) that the briefing knows."""
        total = sum(w.weight for w in self.content)
        return sum(w.weight for w in self.content if w.known) / total if total else 0.0

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """Adjacent meaningful words of the question, as stems: phrases a good answer may share."""
        stems = [stem(w) for w in self.words if w not in STOPWORDS and w not in QUESTION_WORDS]
        return set(itertools.pairwise(stems))

    @property
    def unknown(self) -> list[str]:
        return [w.text for w in self.content if not w.known]


def understand(index: Index, text: str) -> Query:
    query = Query(text=text, words=words(text))
    query.intents = _intents(text, query.words)
    query.entities = _entities(index, text, query.words)
    covered = {i for m in query.entities for i in range(m.start, m.end)}
    for mention in query.entities:
        name = [w for w in query.words[mention.start : mention.end] if w not in STOPWORDS]
        query.terms.extend((stem(word), 1.0) for word in name)
        query.content.append(
            Word(
                " ".join(query.words[mention.start : mention.end]),
                "entity",
                index.entity_idf(mention.entity_id),
                stems=tuple(stem(word) for word in name),
                entity_id=mention.entity_id,
            )
        )

    rest = [w for i, w in enumerate(query.words) if i not in covered]
    _expand_question_words(index, query, rest)
    content = [w for w in rest if w not in STOPWORDS and w not in QUESTION_WORDS]
    used: set[int] = set()
    # Two-word synonyms first ("north korea", "food aid").
    for i in range(len(content) - 1):
        phrase = f"{content[i]} {content[i + 1]}"
        stems = _add_synonyms(index, query, phrase, 0.8) if phrase in index.synonyms else ()
        if stems:
            query.content.append(Word(phrase, "synonym", _phrase_weight(index, phrase), stems))
            used.update((i, i + 1))
    for i, word in enumerate(content):
        if i not in used:
            query.content.append(_word(index, query, word))
    return query


def _intents(text: str, tokens: list[str]) -> set[str]:
    lowered = text.lower()
    intents: set[str] = {w for w in ("who", "where", "why") if w in tokens}
    if _WHEN.search(lowered):
        intents.add("when")
    if _COUNT.match(lowered):
        intents.add("count")
    if _QUOTE_WORDS & set(tokens) or "according to" in lowered:
        intents.add("quote")
    return intents


def _entities(index: Index, text: str, tokens: list[str]) -> list[EntityMention]:
    """Longest spellings first; fuzzy only with the first letter right (typos rarely hit it)."""
    found: list[EntityMention] = []
    taken: set[int] = set()
    for length in sorted(index.spellings, reverse=True):
        for start in range(len(tokens) - length + 1):
            span = range(start, start + length)
            if taken & set(span):
                continue
            best: tuple[int, Spelling] | None = None
            for spelling in index.spellings[length].get(initial(tokens[start]), ()):
                edits = _span_edits(index, tokens[start : start + length], spelling.words)
                if edits is not None and (best is None or edits < best[0]):
                    best = (edits, spelling)
            if best is None:
                continue
            edits, spelling = best
            after_the = start > 0 and tokens[start - 1] == "the"
            if length == 1 and tokens[start] in STOPWORDS and not after_the and not _written_as_name(text, spelling):
                continue  # "us" is a pronoun unless written "US" or "the us"
            found.append(EntityMention(spelling.entity.id, start, start + length, edits))
            taken.update(span)
    return sorted(found, key=lambda m: m.start)


def _written_as_name(text: str, spelling: Spelling) -> bool:
    names = [s for s in spelling.entity.spellings if words(s) == list(spelling.words)]
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text) for name in names)


def _span_edits(index: Index, query_words: list[str], name_words: tuple[str, ...]) -> int | None:
    total = 0
    for got, want in zip(query_words, name_words, strict=True):
        if got == want:
            continue
        # A real word of the briefing is not a typo of a name: "minister" is not "Ministry".
        if initial(got) != initial(want) or got in index.word_stem or got in STOPWORDS:
            return None
        distance = OSA.distance(got, want, score_cutoff=max_edits(want))
        if distance > max_edits(want) or distance > max_edits(got):
            return None
        total += distance
    return total


def _expand_question_words(index: Index, query: Query, tokens: list[str]) -> None:
    """'where' also searches 'venue' and 'location': a hint for ranking, not a word to cover."""
    for word in tokens:
        if word in QUESTION_WORDS:
            _add_synonyms(index, query, word, 0.3)


def _add_synonyms(index: Index, query: Query, phrase: str, weight: float) -> tuple[str, ...]:
    """Search the synonyms of `phrase` too; returns the index terms added."""
    added: list[str] = []
    for other in index.synonyms.get(phrase, ()):
        for word in other:
            term = stem(word)
            if term in index.postings and word not in STOPWORDS:
                query.terms.append((term, weight / len(other)))
                added.append(term)
    return tuple(added)


def _phrase_weight(index: Index, phrase: str) -> float:
    stems = [stem(w) for other in index.synonyms[phrase] for w in other if stem(w) in index.postings]
    return max((index.idf(s) for s in stems), default=index.max_idf)


# A framing word weighs this much of its rarity in coverage and support.
FRAMING_WEIGHT = 0.2
UNKNOWN_WEIGHT = 2.5
UNKNOWN_ADVERB_WEIGHT = 1.0
_FILLER = sorted(QUESTION_WORDS | {w for w in STOPWORDS if len(w) >= 4})


def _word(index: Index, query: Query, word: str) -> Word:
    found = _lookup(index, query, word)
    if is_framing(word):
        return Word(
            found.text, found.how if found.known else "framing", found.weight * FRAMING_WEIGHT, found.stems, None, True
        )
    return found


def _lookup(index: Index, query: Query, word: str) -> Word:
    term = stem(word)
    if term in index.postings:
        query.terms.append((term, 1.0))
        return Word(word, "word", index.idf(term), (term, *_add_synonyms(index, query, word, 0.5)))
    stems = _add_synonyms(index, query, word, 0.8)
    if stems:
        return Word(word, "synonym", _phrase_weight(index, word), stems)
    corrected = _correct(index, word)
    if corrected is not None:
        fixed = stem(corrected)
        query.terms.append((fixed, 1.0))
        return Word(word, "typo", index.idf(fixed), (fixed,))
    if _filler_typo(word):
        return Word(word, "framing", 0.0, (), None, True)
    # A word the briefing never uses. Ordinary words ("true", "chosen") are common in questions
    # that the briefing answers, so an unknown word weighs like a moderately rare one, an adverb
    # less; whether the best snippet supports the rest of the question decides.
    return Word(word, "unknown", UNKNOWN_ADVERB_WEIGHT if word.endswith("ly") else UNKNOWN_WEIGHT)


def _filler_typo(word: str) -> bool:
    """'wher', 'abuot': a typo of a question or filler word, which then carries no meaning.
    A letter dropped, added or swapped; not changed, which would turn "tall" into "talk"."""
    if len(word) < 4:
        return False
    fillers, shortened, swapped = _filler_variants()
    return word in shortened or word in swapped or any(drop in fillers for drop in _deletions(word))


@cache
def _filler_variants() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    fillers = frozenset(_FILLER)
    shortened = frozenset(d for f in fillers for d in _deletions(f))
    swapped = frozenset(v for f in fillers for v in _swaps(f))
    return fillers, shortened, swapped


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1) if word[i] != word[i + 1]]


def _correct(index: Index, word: str) -> str | None:
    if word.isdigit() or len(word) < 4:
        return None
    limit = max_word_edits(word)
    if limit == 0:
        # Short words: only two swapped letters ("trian"), the commonest typo that makes no other word.
        return next((v for v in _swaps(word) if v in index.word_stem and v not in STOPWORDS), None)
    candidates = index.vocabulary_by_initial.get(initial(word), ())
    match = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
    if match is None:
        return None
    return str(match[0])
