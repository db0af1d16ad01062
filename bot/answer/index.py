"""The search index, built once per briefing: weighted terms per snippet, entities and vocabulary.

Scores are BM25F: each snippet's fields (title, text, search terms, entity names, topic, cited
quotes) add their term counts with a field weight before BM25's saturation, so a word in a title
counts more than the same word in a quote. The corpus is tokenised in bulk, each distinct word is
stemmed once, and the postings are built with numpy as one CSR structure, so a query costs a few
vector additions even with 100,000 snippets.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answer.lexicon import Lexicon, Settings
from bot.answer.tokens import stem_many, words, words_of_many
from bot.briefing.models import Briefing, Entity, Snippet

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Spelling:
    """One way of writing an entity's name, as folded words."""

    entity: Entity
    words: tuple[str, ...]


class Index:
    def __init__(self, briefing: Briefing, lexicon: Lexicon, settings: Settings) -> None:
        self.briefing = briefing
        self.lexicon = lexicon
        self.settings = settings
        self.snippets: tuple[Snippet, ...] = briefing.snippets
        self.n = len(self.snippets)
        self.entities = {e.id: e for e in briefing.entities}
        self.topics = {t.id: t for t in briefing.topics}
        self.snippet_position = {s.id: i for i, s in enumerate(self.snippets)}

        self.entity_words = {e.id: words(" ".join(e.spellings)) for e in briefing.entities}
        self.topic_words = {t.id: words(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        # Surface word → stem, for every word of the corpus and of the entities' names and roles.
        self.word_stem: dict[str, str] = {}
        self.postings = self._postings()
        self.max_idf = self.idf_of(0)

        role_words = {e.id: words(f"{e.name} {e.role}") for e in briefing.entities}
        self._learn_words(w for ws in role_words.values() for w in ws)
        # Each entity's role as stems: "the foreign minister" reaches Choe Sun Hui through it.
        self.role_stems = {
            e: frozenset(self.word_stem[w] for w in ws if w not in lexicon.filler) for e, ws in role_words.items()
        }
        self.roles_with: dict[str, set[str]] = defaultdict(set)
        for entity_id, stems in self.role_stems.items():
            for x in stems:
                self.roles_with[x].add(entity_id)

        # Words a typo may be corrected to, by first letter; names apart (they tolerate more).
        self.name_words = frozenset(w for ws in self.entity_words.values() for w in ws if w not in lexicon.filler)
        self.name_stems = frozenset(self.word_stem[w] for w in self.name_words)
        self.vocabulary_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.word_stem, key=lambda w: (-self.postings.df(self.word_stem[w]), w)):
            if word not in lexicon.filler and not word.isdigit() and len(word) > 2:
                self.vocabulary_by_initial[initial(word)].append(word)

        self.synonyms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for group in briefing.synonyms:
            phrases = [tuple(words(member)) for member in group]
            for phrase in phrases:
                self.synonyms[" ".join(phrase)].extend(p for p in phrases if p != phrase)

        # Spellings by their folded words, for exact matching of names in a question.
        self.spellings: dict[tuple[str, ...], Entity] = {}
        self.spellings_of: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for entity in briefing.entities:
            for spelling in entity.spellings:
                key = tuple(words(spelling))
                if key:
                    self.spellings.setdefault(key, entity)
                    self.spellings_of[entity.id].append(key)
        self.longest_spelling = max((len(k) for k in self.spellings), default=0)
        # A name written as one word ("whitehouse", "northkorea") → its words.
        self.joined_spellings = {"".join(k): " ".join(k) for k in self.spellings if len(k) > 1}
        self.entities_named_by: dict[str, set[str]] = defaultdict(set)
        for key, entity in self.spellings.items():
            for word in key:
                self.entities_named_by[word].add(entity.id)

        self.entity_docs, self.entity_title_docs, self.speaker_docs = self._entity_postings()
        self.quoted = self._quoted_speakers()
        quoted_docs: dict[str, list[int]] = defaultdict(list)
        for doc, speakers in sorted(self.quoted.items()):
            for speaker in speakers:
                quoted_docs[speaker].append(doc)
        # Snippets holding each entity's own words, as said or as quoted.
        self.quoted_docs = {k: np.array(v, dtype=np.int32) for k, v in quoted_docs.items()}

    # -- lookups ----------------------------------------------------------------------------------

    def contains(self, doc: int, term: str) -> bool:
        """Whether snippet number `doc` has `term` in any field (postings are sorted by doc)."""
        posting = self.postings.get(term)
        if posting is None:
            return False
        ids = posting[0]
        at = int(np.searchsorted(ids, doc))
        return at < len(ids) and int(ids[at]) == doc

    def tagged(self, doc: int, entity_id: str) -> bool:
        ids = self.entity_docs.get(entity_id)
        if ids is None:
            return False
        at = int(np.searchsorted(ids, doc))
        return at < len(ids) and int(ids[at]) == doc

    def idf_of(self, df: int) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return self.idf_of(self.postings.df(term))

    def entity_idf(self, entity_id: str) -> float:
        docs = self.entity_docs.get(entity_id)
        return self.idf_of(0 if docs is None else len(docs))

    def knows(self, word: str) -> bool:
        term = self.word_stem.get(word)
        return term is not None and term in self.postings

    def find_entities(self, text: str, tokens: list[str]) -> list[tuple[str, int, int]]:
        """Entities spelled in `tokens` (the folded words of `text`), longest spellings first, as
        (entity id, start, end) in the order they appear. A spelling that is also a filler word
        ("us") counts only when written as the name ("US") or after "the"."""
        found: list[tuple[str, int, int]] = []
        taken: set[int] = set()
        for length in range(min(self.longest_spelling, len(tokens)), 0, -1):
            for start in range(len(tokens) - length + 1):
                span = set(range(start, start + length))
                if taken & span:
                    continue
                entity = self.spellings.get(tuple(tokens[start : start + length]))
                if entity is None:
                    continue
                word = tokens[start]
                if length == 1 and word in self.lexicon.filler:
                    after_the = start > 0 and tokens[start - 1] == "the"
                    if not after_the and not _written_as_name(text, entity.spellings, word):
                        continue
                found.append((entity.id, start, start + length))
                taken |= span
        return sorted(found, key=lambda m: m[1])

    # -- building ---------------------------------------------------------------------------------

    def _learn_words(self, surface: object) -> None:
        new = [w for w in dict.fromkeys(surface) if w not in self.word_stem]  # type: ignore[call-overload]
        self.word_stem.update(zip(new, stem_many(new), strict=True))

    def _field_texts(self) -> dict[str, list[str]]:
        names = {e.id: " ".join(e.spellings) for e in self.briefing.entities}
        topics = {t.id: " ".join((t.title, *t.keywords)) for t in self.briefing.topics}
        texts: dict[str, list[str]] = {field: [] for field in self.settings.bm25.fields}
        for snippet in self.snippets:
            tagged = dict.fromkeys((*snippet.entities, *([snippet.speaker] if snippet.speaker else ())))
            parts = {
                "title": snippet.title,
                "text": snippet.text,
                "terms": " . ".join(snippet.terms),
                # Names only: roles repeated on every snippet tagged "Kim" would make their words common.
                "entities": " . ".join(names[e] for e in tagged if e in names),
                "topic": topics.get(snippet.topic, ""),
                "quotes": " ".join(c.quote for c in snippet.sources),
            }
            for field, values in texts.items():
                values.append(parts[field])
        return texts

    def _postings(self) -> Postings:
        bm25 = self.settings.bm25
        field_tokens = {field: words_of_many(texts) for field, texts in self._field_texts().items()}
        # Every distinct word once: its id, its stem, whether it is filler.
        flat = list(itertools.chain.from_iterable(itertools.chain.from_iterable(field_tokens.values())))
        distinct = list(dict.fromkeys(flat))
        word_id = {w: i for i, w in enumerate(distinct)}
        self._learn_words(distinct)
        term_ids: dict[str, int] = {}
        word_term = np.array([term_ids.setdefault(self.word_stem[w], len(term_ids)) for w in distinct], dtype=np.int64)
        filler = np.array([w in self.lexicon.filler for w in distinct], dtype=bool)
        token_word = np.fromiter(map(word_id.__getitem__, flat), dtype=np.int64, count=len(flat))

        lengths = np.concatenate([np.fromiter(map(len, tokens), np.int64, self.n) for tokens in field_tokens.values()])
        docs = np.tile(np.arange(self.n, dtype=np.int64), len(field_tokens))
        weights = np.repeat(np.array(list(bm25.fields.values()), dtype=np.float32), self.n)
        token_doc = np.repeat(docs, lengths)
        token_weight = np.repeat(weights, lengths)
        keep = ~filler[token_word]
        token_doc, token_weight = token_doc[keep], token_weight[keep]
        token_term = word_term[token_word[keep]]

        # Weighted count per (term, snippet): unique keys come out sorted by term, then snippet.
        n_docs = max(self.n, 1)
        keys, inverse = np.unique(token_term * n_docs + token_doc, return_inverse=True)
        tf = np.bincount(inverse.ravel(), weights=token_weight).astype(np.float32)
        term_col = (keys // n_docs).astype(np.int64)
        doc_col = (keys % n_docs).astype(np.int32)
        length = np.bincount(token_doc, weights=token_weight, minlength=self.n).astype(np.float32)
        df = np.bincount(term_col, minlength=len(term_ids)).astype(np.int32)
        average = float(length.mean()) if self.n else 1.0
        norm = bm25.k1 * (1 - bm25.b + bm25.b * length / max(average, 1e-9))
        idf = np.log1p((self.n - df + 0.5) / (df + 0.5)).astype(np.float32)
        values = (tf * (bm25.k1 + 1) / (tf + norm[doc_col]) * idf[term_col]).astype(np.float32)
        start = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(df, out=start[1:])
        return Postings(term_ids, start, doc_col, values, df)

    def _entity_postings(self) -> tuple[dict[str, IntArray], dict[str, IntArray], dict[str, IntArray]]:
        spelled = {e.id: [f" {' '.join(words(s))} " for s in e.spellings] for e in self.briefing.entities}
        titles = words_of_many([s.title for s in self.snippets])
        tagged: dict[str, list[int]] = defaultdict(list)
        titled: dict[str, list[int]] = defaultdict(list)
        spoken: dict[str, list[int]] = defaultdict(list)
        for i, snippet in enumerate(self.snippets):
            title = " " + " ".join(titles[i]) + " "
            for entity_id in dict.fromkeys((*snippet.entities, *([snippet.speaker] if snippet.speaker else ()))):
                tagged[entity_id].append(i)
                if any(name in title for name in spelled.get(entity_id, ())):
                    titled[entity_id].append(i)
            if snippet.speaker:
                spoken[snippet.speaker].append(i)

        def arrays(lists: dict[str, list[int]]) -> dict[str, IntArray]:
            return {k: np.array(v, dtype=np.int32) for k, v in lists.items()}

        return arrays(tagged), arrays(titled), arrays(spoken)

    def _quoted_speakers(self) -> dict[int, frozenset[str]]:
        """Snippets that cite a sentence the briefing's quotes attribute to someone: whose words they hold."""
        said = [(" ".join(words(q.source.quote)), q.speaker) for q in self.briefing.quotes]
        by_sentence = defaultdict(set)
        for sentence, speaker in said:
            by_sentence[sentence].add(speaker)
        quoted: dict[int, frozenset[str]] = {}
        for i, snippet in enumerate(self.snippets):
            # A citation holding a quoted sentence, or held in one, holds those words.
            cited = [" ".join(words(c.quote)) for c in snippet.sources]
            speakers = {s for c in cited for s in by_sentence.get(c, ())}
            speakers |= {s for c in cited for sentence, s in said if c in sentence or sentence in c}
            if snippet.speaker:
                speakers.add(snippet.speaker)
            if speakers:
                quoted[i] = frozenset(speakers)
        return quoted


def _written_as_name(text: str, spellings: tuple[str, ...], word: str) -> bool:
    """Whether a spelling that is also an ordinary word ("US") is written as the name, case and all."""
    names = [s for s in spellings if words(s) == [word]]
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", text) for name in names)


def initial(word: str) -> str:
    """A word's first letter, with the letters transliterations swap folded ("Kosmodrom", "Cosmodrome")."""
    return "c" if word[0] == "k" else word[0]


class Postings:
    """Term → (snippet numbers in ascending order, BM25F weights), as slices of shared arrays."""

    def __init__(
        self, ids: dict[str, int], start: npt.NDArray[np.int64], docs: IntArray, weights: FloatArray, df: IntArray
    ) -> None:
        self._ids = ids
        self._start = start
        self._docs = docs
        self._weights = weights
        self._df = df

    def __contains__(self, term: object) -> bool:
        return term in self._ids

    def get(self, term: str) -> tuple[IntArray, FloatArray] | None:
        i = self._ids.get(term)
        if i is None:
            return None
        a, b = self._start[i], self._start[i + 1]
        return self._docs[a:b], self._weights[a:b]

    def df(self, term: str) -> int:
        i = self._ids.get(term)
        return 0 if i is None else int(self._df[i])
