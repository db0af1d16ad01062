"""The search index, built once per briefing: weighted terms per snippet, entities and vocabulary.

Scores are BM25F: each snippet's fields (title, text, search terms, entity names, topic, cited
quotes) add their term counts with a field weight before BM25's saturation, so a word in a title
counts more than the same word in a quote. Postings are one CSR structure of numpy arrays, so a
query costs a few vector additions even with 100,000 snippets.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answer.tokens import STOPWORDS, stem, words
from bot.briefing.models import Briefing, Entity, Snippet

FIELD_WEIGHTS = {"title": 3.0, "text": 2.0, "terms": 2.0, "entities": 1.0, "topic": 0.7, "quotes": 1.0}
K1 = 1.2
B = 0.75

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Spelling:
    """One way of writing an entity's name, as folded words."""

    entity: Entity
    words: tuple[str, ...]


def initial(word: str) -> str:
    """A word's first letter, with the letters transliterations swap folded ("Kosmodrom", "Cosmodrome")."""
    return "c" if word[0] == "k" else word[0]


class Index:
    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing
        self.snippets: tuple[Snippet, ...] = briefing.snippets
        self.n = len(self.snippets)
        self.entities = {e.id: e for e in briefing.entities}
        self.topics = {t.id: t for t in briefing.topics}

        self._entity_words = {e.id: words(" ".join(e.spellings)) for e in briefing.entities}
        self._topic_words = {t.id: words(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        # Surface words seen anywhere in the index, for typo correction, with their stems.
        self.word_stem: dict[str, str] = {}
        self.postings = self._postings()
        self.max_idf = self.idf_of(0)
        self.vocabulary_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.word_stem):
            if word not in STOPWORDS and not word.isdigit():
                self.vocabulary_by_initial[initial(word)].append(word)

        self.synonyms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for group in briefing.synonyms:
            phrases = [tuple(words(member)) for member in group]
            for phrase in phrases:
                self.synonyms[" ".join(phrase)].extend(p for p in phrases if p != phrase)

        # Spellings by word count, then by the initial of their first word: a question word is only
        # compared with names that start like it.
        self.spellings: dict[int, dict[str, list[Spelling]]] = defaultdict(lambda: defaultdict(list))
        for entity in briefing.entities:
            for spelling in {tuple(words(s)) for s in entity.spellings}:
                if spelling:
                    self.spellings[len(spelling)][initial(spelling[0])].append(Spelling(entity, spelling))
        self.entity_docs: dict[str, IntArray] = {}
        self.entity_title_docs: dict[str, IntArray] = {}
        self.speaker_docs: dict[str, IntArray] = {}
        spelled = {e.id: [f" {' '.join(words(s))} " for s in e.spellings] for e in briefing.entities}
        tagged: dict[str, list[int]] = defaultdict(list)
        titled: dict[str, list[int]] = defaultdict(list)
        spoken: dict[str, list[int]] = defaultdict(list)
        for i, snippet in enumerate(self.snippets):
            title = " " + " ".join(words(snippet.title)) + " "
            for entity_id in {*snippet.entities, *([snippet.speaker] if snippet.speaker else [])}:
                tagged[entity_id].append(i)
                if any(name in title for name in spelled.get(entity_id, ())):
                    titled[entity_id].append(i)
            if snippet.speaker:
                spoken[snippet.speaker].append(i)
        self.entity_docs = {k: np.array(v, dtype=np.int32) for k, v in tagged.items()}
        self.entity_title_docs = {k: np.array(v, dtype=np.int32) for k, v in titled.items()}
        self.speaker_docs = {k: np.array(v, dtype=np.int32) for k, v in spoken.items()}
        self.snippet_position = {s.id: i for i, s in enumerate(self.snippets)}

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

    def _fields(self, snippet: Snippet) -> dict[str, list[str]]:
        tagged = [e for e in (*snippet.entities, snippet.speaker or "") if e in self._entity_words]
        return {
            "title": words(snippet.title),
            "text": words(snippet.text),
            "terms": [w for term in snippet.terms for w in words(term)],
            # Names only: roles repeated on every snippet tagged "Kim" would make their words common.
            "entities": [w for e in tagged for w in self._entity_words[e]],
            "topic": self._topic_words.get(snippet.topic, []),
            "quotes": [w for c in snippet.sources for w in words(c.quote)],
        }

    def _postings(self) -> Postings:
        # One (snippet, term, weighted count) row per distinct term of a snippet, in snippet order.
        term_ids: dict[str, int] = {}
        docs, terms, counts, lengths = array("i"), array("i"), array("f"), array("f")
        for doc, snippet in enumerate(self.snippets):
            tf: dict[int, float] = defaultdict(float)
            length = 0.0
            for name, tokens in self._fields(snippet).items():
                weight = FIELD_WEIGHTS[name]
                for word in tokens:
                    term = self.word_stem.get(word)
                    if term is None:
                        term = self.word_stem[word] = stem(word)
                    if word not in STOPWORDS:
                        tf[term_ids.setdefault(term, len(term_ids))] += weight
                        length += weight
            docs.extend([doc] * len(tf))
            terms.extend(tf.keys())
            counts.extend(tf.values())
            lengths.append(length)
        doc_col = np.frombuffer(docs, dtype=np.int32)
        term_col = np.frombuffer(terms, dtype=np.int32)
        tf_col = np.frombuffer(counts, dtype=np.float32)
        length_col = np.frombuffer(lengths, dtype=np.float32)
        df = np.bincount(term_col, minlength=len(term_ids)).astype(np.int32)
        average = float(length_col.mean()) if len(length_col) else 1.0
        norm = K1 * (1 - B + B * length_col / average)
        idf = np.log1p((self.n - df + 0.5) / (df + 0.5)).astype(np.float32)
        weights = (tf_col * (K1 + 1) / (tf_col + norm[doc_col]) * idf[term_col]).astype(np.float32)
        # Grouped by term; a stable sort keeps each term's snippets in ascending order.
        order = np.argsort(term_col, kind="stable")
        start = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(df, out=start[1:])
        return Postings(term_ids, start, doc_col[order], weights[order], df)


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
