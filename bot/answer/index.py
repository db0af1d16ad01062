"""The search index, built once per briefing: weighted terms per snippet, entities and vocabulary.

Scores are BM25F: each snippet's fields (title, text, search terms, entity names, topic, cited
quotes) add their term counts with a field weight before BM25's saturation, so a word in a title
counts more than the same word in a quote. The corpus is tokenised in bulk, each distinct word is
stemmed once, and the postings are built with numpy as one CSR structure, so a query costs a few
vector additions even with 100,000 snippets.
"""

from __future__ import annotations

import gc
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answer.lexicon import Lexicon, Settings
from bot.answer.tokens import count_words, fold, stem_many, words
from bot.briefing.models import Briefing, Entity, Snippet

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Spelling:
    """One way of writing an entity's name, as folded words."""

    entity: Entity
    words: tuple[str, ...]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building makes millions of small objects and no reference cycles: the cyclic garbage
    collector would only walk the whole heap again and again (a third of the build at 100,000)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Index:
    def __init__(self, briefing: Briefing, lexicon: Lexicon, settings: Settings) -> None:
        with _collector_paused():
            self._build(briefing, lexicon, settings)

    # What the briefing itself holds is not kept on disk with the index (cache.py): the briefing
    # is at hand when the index is read back, and unpickling its models was a tenth of `ask`.
    _FROM_BRIEFING = ("briefing", "snippets", "entities", "topics")

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in self._FROM_BRIEFING}

    def attach(self, briefing: Briefing) -> None:
        """The briefing's own pieces: set when the index is built, and given back to an index read
        back from disk (the briefing it was built from: the cache's key)."""
        self.briefing = briefing
        self.snippets: tuple[Snippet, ...] = briefing.snippets
        self.entities = {e.id: e for e in briefing.entities}
        self.topics = {t.id: t for t in briefing.topics}

    def _build(self, briefing: Briefing, lexicon: Lexicon, settings: Settings) -> None:
        self.attach(briefing)
        self.lexicon = lexicon
        self.settings = settings
        self.n = len(self.snippets)
        # An entity and those it stands for ("Pyongyang": North Korea's government too).
        # Both ways: a question naming the United States is also about what the White House said.
        spoken_for: dict[str, set[str]] = defaultdict(set)
        for e in briefing.entities:
            for other in e.stands_for:
                spoken_for[other].add(e.id)
        self.also = {e.id: frozenset((e.id, *e.stands_for, *spoken_for[e.id])) for e in briefing.entities}
        # Questions readers would ask, by the item they are answered by (briefings/asks.yaml).
        self.asks: dict[str, tuple[str, ...]] = {a.id: a.questions for a in briefing.asks}
        # Questions of each topic that no article answers (briefings/unasked.yaml).
        self.unasked: dict[str, tuple[str, ...]] = {a.id: a.questions for a in briefing.unasked}
        self.snippet_position = {s.id: i for i, s in enumerate(self.snippets)}
        # The years the articles were written in: "the summit in 2023" names the briefing's own
        # time, and asks nothing the articles must hold (they date the summit by weekday only).
        self.years = frozenset(s.date[:4] for s in briefing.sources if re.fullmatch(r"\d{4}-\d\d-\d\d", s.date))

        self.entity_words = {e.id: words(" ".join(e.spellings)) for e in briefing.entities}
        self.topic_words = {t.id: words(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        # Surface word → stem, for every word of the corpus and of the entities' names and roles.
        self.word_stem: dict[str, str] = {}
        held = self._held()
        self.postings = self._postings(held)
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
        # Stem → the entities a spelling of whose name holds it ("forum": the Eastern Economic Forum).
        self.names_with: dict[str, set[str]] = defaultdict(set)
        for entity_id, ws in self.entity_words.items():
            for w in ws:
                if w not in lexicon.filler:
                    self.names_with[self.word_stem[w]].add(entity_id)
        # Name words by how they sound (lexicon: sounds), by the first letter of that: word → sound.
        self.name_sounds: dict[str, dict[str, str]] = defaultdict(dict)
        self.sound_of = {word: lexicon.sound(word) for word in sorted(self.name_words)}
        for word, sound in self.sound_of.items():
            if sound:
                self.name_sounds[sound[0]][word] = sound
        self.names_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.name_words):
            self.names_by_initial[initial(word)].append(word)
        self.vocabulary_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.word_stem, key=lambda w: (-self.postings.df(self.word_stem[w]), w)):
            if word not in lexicon.filler and not word.isdigit() and len(word) >= settings.typos.shortest_in_context:
                self.vocabulary_by_initial[initial(word)].append(word)

        self.synonyms: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for group in briefing.synonyms:
            phrases = [tuple(words(member)) for member in group]
            for member in phrases:
                self.synonyms[" ".join(member)].extend(p for p in phrases if p != member)
        # Everyday paraphrases, one way: "get out of" also searches "gain", not the reverse.
        for said, meant in lexicon.paraphrases.items():
            joined = " ".join(words(said))
            self.synonyms[joined].extend(p for p in (tuple(words(m)) for m in meant) if p and " ".join(p) != joined)
        self.longest_synonym = max((len(k.split()) for k in self.synonyms), default=1)

        # Spellings by their folded words, for exact matching of names in a question.
        self.spellings: dict[tuple[str, ...], Entity] = {}
        self.spellings_of: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for entity in briefing.entities:
            for spelling in entity.spellings:
                key = tuple(words(spelling))
                if key:
                    self.spellings.setdefault(key, entity)
                    self.spellings_of[entity.id].append(key)
        # A synonym of an entity's name names it too in a question ("nk", "dprk": North Korea).
        for group in briefing.synonyms:
            members = [tuple(words(m)) for m in group]
            named = {self.spellings[m].id for m in members if m in self.spellings}
            if len(named) == 1:
                entity = self.entities[named.pop()]
                for member in members:
                    if member and member not in self.spellings:
                        self.spellings[member] = entity
        self.longest_spelling = max((len(k) for k in self.spellings), default=0)
        self._spelling_starts = frozenset(k[0] for k in self.spellings if k)
        # A name written as one word ("whitehouse", "northkorea") → its words.
        self.joined_spellings = {"".join(k): " ".join(k) for k in self.spellings if len(k) > 1}
        self.entities_named_by: dict[str, set[str]] = defaultdict(set)
        for key, entity in self.spellings.items():
            for word in key:
                self.entities_named_by[word].add(entity.id)

        self.entity_docs, self.entity_title_docs, self.speaker_docs = self._entity_postings(held["entities"])
        by_topic: dict[str, list[int]] = defaultdict(list)
        for i, snippet in enumerate(self.snippets):
            by_topic[snippet.topic].append(i)
        self.topic_docs = {t: np.array(docs, dtype=np.int32) for t, docs in by_topic.items()}
        self.quoted = self._quoted_speakers()
        quoted_docs: dict[str, list[int]] = defaultdict(list)
        for doc, speakers in sorted(self.quoted.items()):
            for speaker in speakers:
                quoted_docs[speaker].append(doc)
        # Snippets holding each entity's own words, as said or as quoted.
        self.quoted_docs = {k: np.array(v, dtype=np.int32) for k, v in quoted_docs.items()}
        # Whoever the briefing gives words to: a snippet's speaker, or someone a quote is attributed to.
        self.speakers = frozenset(self.quoted_docs) | {s.speaker for s in self.snippets if s.speaker}
        self._number_asks()

    def _number_asks(self) -> None:
        """The reader questions numbered across the briefing, item by item: which of them hold each
        stem, how many distinct stems each has, and its stems as text, to compare a question with all
        of them at once. The same for the questions no article answers."""
        self.ask_span, self.ask_holding, self.ask_lengths, self.ask_texts = self._numbered(self.asks)
        # A question no article answers is compared with what it asks for too (Lexicon.type_marks).
        marks = self.lexicon.type_marks
        typed = {k: tuple(" ".join([q, *marks(fold(q))]) for q in qs) for k, qs in self.unasked.items()}
        unasked = self._numbered(typed)
        _, self.unasked_holding, self.unasked_lengths, self.unasked_texts = unasked
        self.unasked_chars = np.fromiter(map(len, self.unasked_texts), np.float64, len(self.unasked_texts))

    def _numbered(
        self, questions_of: dict[str, tuple[str, ...]]
    ) -> tuple[dict[str, tuple[int, int]], dict[str, npt.NDArray[np.int64]], npt.NDArray[np.float64], list[str]]:
        filler, word_stem = self.lexicon.filler, self.word_stem
        spans: dict[str, tuple[int, int]] = {}
        at = 0
        for item_id, questions in questions_of.items():
            spans[item_id] = (at, at + len(questions))
            at += len(questions)
        # Every question's words at once (count_words), each as a stem number (-1: filler); then the
        # distinct (stem, question) pairs, sorted by stem, give the questions holding each stem.
        tokens, per_question = count_words([q for questions in questions_of.values() for q in questions])
        every = b" ".join(tokens).decode("ascii").split()
        self._learn_words(w for w in every if w not in filler)
        numbers: dict[str, int] = {}
        stem_of = np.fromiter(
            (-1 if w in filler else numbers.setdefault(word_stem[w], len(numbers)) for w in every), np.int64, len(every)
        )
        question_of = np.repeat(np.arange(at, dtype=np.int64), per_question)
        kept = stem_of >= 0
        pairs = np.unique(stem_of[kept] * max(at, 1) + question_of[kept])
        stems, held_by = np.divmod(pairs, max(at, 1))
        cuts = np.flatnonzero(np.diff(stems)) + 1
        names = list(numbers)
        holding = {
            names[int(x)]: q
            for x, q in zip(stems[np.r_[0, cuts]] if len(stems) else [], np.split(held_by, cuts), strict=False)
        }
        lengths = np.bincount(held_by, minlength=at).astype(np.float64)
        ends = np.cumsum(per_question)
        starts = ends - per_question
        texts = [
            " ".join(word_stem[w] for w in every[a:b] if w not in filler)
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
        return spans, holding, lengths, texts

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

    def knows_spelling(self, word: str) -> bool:
        """Whether the word is known and spelt as the briefing spells it: a word only readers'
        questions use (asks.yaml) counts when it is a form of the briefing's own ("stopped" beside
        "stop"), not when it may be a reader's misspelling ("peskoff", "mathew")."""
        return word not in self.asked_only and self.knows(word)

    def find_entities(self, text: str, tokens: list[str]) -> list[tuple[str, int, int]]:
        """Entities spelled in `tokens` (the folded words of `text`), longest spellings first, as
        (entity id, start, end) in the order they appear. A spelling that is also a filler word
        ("us") counts only when written as the name ("US") or after "the"."""
        found: list[tuple[str, int, int]] = []
        # Only where a spelling may start (most words start none): called for every reader question.
        starts = [i for i, token in enumerate(tokens) if token in self._spelling_starts]
        if not starts:
            return found
        taken = [False] * len(tokens)
        spellings = self.spellings
        for length in range(min(self.longest_spelling, len(tokens)), 0, -1):
            for start in starts:
                end = start + length
                if end > len(tokens):
                    break
                entity = spellings.get(tuple(tokens[start:end]))
                if entity is None or any(taken[start:end]):
                    continue
                word = tokens[start]
                if length == 1 and word in self.lexicon.filler:
                    after_the = start > 0 and tokens[start - 1] == "the"
                    if not after_the and not _written_as_name(text, entity.spellings, word):
                        continue
                found.append((entity.id, start, end))
                taken[start:end] = [True] * length
        return sorted(found, key=lambda m: m[1])

    # -- building ---------------------------------------------------------------------------------

    def _learn_words(self, surface: object) -> None:
        new = [w for w in dict.fromkeys(surface) if w not in self.word_stem]  # type: ignore[call-overload]
        self.word_stem.update(zip(new, stem_many(new), strict=True))

    def _held(self) -> dict[str, Held]:
        """Which shared pieces each snippet holds: its entities (tagged or speaking, each once), its
        topic, its cited sentences; as (snippet, piece) pairs in snippet order."""
        entities = {e.id: i for i, e in enumerate(self.briefing.entities)}
        topics = {t.id: i for i, t in enumerate(self.briefing.topics)}
        # Cited sentences are the articles' own, so however many snippets there are, there are at
        # most as many distinct ones as the articles have sentences.
        quotes: dict[str, int] = {}
        snippets = self.snippets
        tagged = [(*s.entities, s.speaker) if s.speaker else s.entities for s in snippets]
        cited = [[quotes.setdefault(c.quote, len(quotes)) for c in s.sources] for s in snippets]
        held = {
            "entities": _pairs([[entities.get(e, -1) for e in t] for t in tagged], unique=True),
            "topic": _pairs([[topics.get(s.topic, len(topics))] for s in snippets]),
            "quotes": _pairs(cited),
        }
        self._quote_texts = list(quotes)
        return held

    def _field_sources(self, held: dict[str, Held]) -> dict[str, list[str] | tuple[list[str], Held]]:
        """Each field: its text per snippet, or, for fields made of shared pieces (entity names, the
        topic, cited article sentences), the pieces once and which pieces each snippet holds."""
        snippets = self.snippets
        texts = {
            "title": [s.title for s in snippets],
            "text": [s.text for s in snippets],
            "terms": [" . ".join(s.terms) for s in snippets],
            "asks": [" . ".join(self.asks.get(s.id, ())) for s in snippets],
        }
        pieces = {
            # Names only: roles repeated on every snippet tagged "Kim" would make their words common.
            "entities": [" ".join(e.spellings) for e in self.briefing.entities],
            "topic": [" ".join((t.title, *t.keywords)) for t in self.briefing.topics] + [""],
            "quotes": self._quote_texts,
        }
        fields = self.settings.bm25.fields
        return {field: texts[field] if field in texts else (pieces[field], held[field]) for field in fields}

    def _postings(self, held: dict[str, Held]) -> Postings:
        bm25 = self.settings.bm25
        # Every word of the corpus as a number, field by field, a chunk of snippets at a time (a
        # word's text lives only while its chunk is read); each distinct word is stemmed once.
        # A new word gets the next number as it is first looked up (all in C: no Python loop per word).
        vocabulary: defaultdict[bytes, int] = defaultdict(itertools.count().__next__)

        def read(texts: list[str]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
            ids, counts = [], []
            for at in range(0, len(texts), _CHUNK):
                tokens, per_text = count_words(texts[at : at + _CHUNK])
                ids.append(np.fromiter(map(vocabulary.__getitem__, tokens), dtype=np.int32, count=len(tokens)))
                counts.append(per_text)
            if not ids:
                return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
            return np.concatenate(ids), np.concatenate(counts)

        ids: list[npt.NDArray[np.int32]] = []
        counts: list[npt.NDArray[np.int64]] = []
        filler_words = {w.encode() for w in self.lexicon.filler}
        asked = np.zeros(0, dtype=np.int32)
        for field, source in self._field_sources(held).items():
            if isinstance(source, list):
                field_ids, per_doc = read(source)
                if field == "asks":
                    asked = field_ids
                if field == "title":
                    self._titles = (field_ids, per_doc, vocabulary)
            else:
                # A shared piece loses its filler words once, before it is repeated for each snippet.
                piece_ids, piece_lengths = read(source[0])
                words_now = list(vocabulary)
                meaningful = np.fromiter((words_now[i] not in filler_words for i in piece_ids), bool, len(piece_ids))
                piece_of = np.repeat(np.arange(len(piece_lengths)), piece_lengths)
                kept = np.bincount(piece_of[meaningful], minlength=len(piece_lengths)).astype(np.int64)
                field_ids, per_doc = _gather(piece_ids[meaningful], kept, source[1])
            ids.append(field_ids)
            counts.append(per_doc)
        distinct = [w.decode() for w in vocabulary]
        self._learn_words(distinct)
        term_ids: dict[str, int] = {}
        stems = map(self.word_stem.__getitem__, distinct)
        word_term = np.fromiter((term_ids.setdefault(x, len(term_ids)) for x in stems), np.int32, len(distinct))
        # Words only readers' questions use (asks.yaml), not forms of the briefing's own: searched, but
        # such a word in a question is still corrected, and never a correction ("peskoff" is Peskov).
        self.asked_only: frozenset[str] = frozenset()
        if len(asked):
            own_term = np.zeros(len(term_ids), dtype=bool)
            for field_ids in ids:
                if field_ids is not asked:
                    own_term[word_term[field_ids]] = True
            words_asked = np.unique(asked)
            self.asked_only = frozenset(distinct[i] for i in words_asked[~own_term[word_term[words_asked]]].tolist())
        filler = np.fromiter((w in self.lexicon.filler for w in distinct), dtype=bool, count=len(distinct))

        token_word = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
        lengths = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
        field_weights = np.array(list(bm25.fields.values()), dtype=np.float32)
        keep = ~filler[token_word]
        # `lengths` runs field by field, each field snippet by snippet.
        token_doc = np.repeat(np.tile(np.arange(self.n, dtype=np.int64), len(field_weights)), lengths)[keep]
        token_field = np.repeat(np.repeat(np.arange(len(field_weights), dtype=np.int64), self.n), lengths)[keep]
        token_term = word_term[token_word[keep]].astype(np.int64)
        del token_word, keep

        # Weighted count per (term, snippet), ordered by term then snippet: each word packed in one
        # integer (term, snippet, field from high bits to low) and sorted by value alone, which numpy
        # does with SIMD and far faster than an argsort; then one sum per run of equal pairs.
        field_bits = max(1, (len(field_weights) - 1).bit_length())
        doc_bits = max(1, self.n.bit_length())
        key = (token_term << (doc_bits + field_bits)) | (token_doc << field_bits) | token_field
        del token_term, token_doc, token_field
        key.sort()
        pair = key >> field_bits
        token_weight = field_weights[key & ((1 << field_bits) - 1)]
        del key
        # Summed in this order (term, snippet, field), as ever: the same floats, the same fitted model.
        doc_mask = (1 << doc_bits) - 1
        length = np.bincount(pair & doc_mask, weights=token_weight, minlength=self.n).astype(np.float32)
        if len(pair):
            starts = np.concatenate(([0], np.flatnonzero(pair[1:] != pair[:-1]) + 1))
        else:
            starts = np.zeros(0, dtype=np.int64)
        tf = np.add.reduceat(token_weight, starts) if len(starts) else np.zeros(0, dtype=np.float32)
        firsts = pair[starts]
        term_col = firsts >> doc_bits
        doc_col = (firsts & doc_mask).astype(np.int32)
        del pair, token_weight, firsts
        df = np.bincount(term_col, minlength=len(term_ids)).astype(np.int32)
        average = float(length.mean()) if self.n else 1.0
        norm = bm25.k1 * (1 - bm25.b + bm25.b * length / max(average, 1e-9))
        idf = np.log1p((self.n - df + 0.5) / (df + 0.5)).astype(np.float32)
        values = (tf * (bm25.k1 + 1) / (tf + norm[doc_col]) * idf[term_col]).astype(np.float32)
        start = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(df, out=start[1:])
        return Postings(term_ids, start, doc_col, values, df)

    def _entity_postings(self, held: Held) -> tuple[dict[str, IntArray], dict[str, IntArray], dict[str, IntArray]]:
        """Snippets by entity: tagged (or speaking), naming it in their title, speaking."""
        ids = [e.id for e in self.briefing.entities]
        docs, pieces = held.docs, held.pieces
        order = np.argsort(pieces, kind="stable")
        bounds = np.searchsorted(pieces[order], np.arange(len(ids) + 1))
        tagged = {ids[k]: docs[order[bounds[k] : bounds[k + 1]]] for k in range(len(ids)) if bounds[k + 1] > bounds[k]}
        # Titles naming each entity: each spelling's words found in a row in the titles' words.
        title_ids, per_doc, vocabulary = self._titles
        del self._titles
        doc_of = np.repeat(np.arange(self.n, dtype=np.int32), per_doc)
        titled: dict[str, IntArray] = {}
        for entity in self.briefing.entities:
            if entity.id not in tagged:
                continue
            found = [
                _runs(title_ids, doc_of, [vocabulary.get(w.encode(), -1) for w in spelling])
                for spelling in self.spellings_of.get(entity.id, ())
            ]
            both = np.intersect1d(np.unique(np.concatenate(found)) if found else [], tagged[entity.id])
            if len(both):
                titled[entity.id] = both.astype(np.int32)
        spoken: dict[str, list[int]] = defaultdict(list)
        for i, snippet in enumerate(self.snippets):
            if snippet.speaker:
                spoken[snippet.speaker].append(i)
        return tagged, titled, {k: np.array(v, dtype=np.int32) for k, v in spoken.items()}

    def _quoted_speakers(self) -> dict[int, frozenset[str]]:
        """Snippets that cite a sentence the briefing's quotes attribute to someone: whose words they hold."""
        said = [(" ".join(words(q.source.quote)), q.speaker) for q in self.briefing.quotes]
        by_sentence = defaultdict(set)
        for sentence, speaker in said:
            by_sentence[sentence].add(speaker)
        quoted: dict[int, frozenset[str]] = {}
        of_citation: dict[str, frozenset[str]] = {}  # a sentence is often cited by several snippets
        for i, snippet in enumerate(self.snippets):
            speakers: set[str] = set()
            for citation in snippet.sources:
                found = of_citation.get(citation.quote)
                if found is None:
                    # A citation holding a quoted sentence, or held in one, holds those words.
                    cited = " ".join(words(citation.quote))
                    found = frozenset(by_sentence.get(cited, ())) | {
                        s for sentence, s in said if cited in sentence or sentence in cited
                    }
                    of_citation[citation.quote] = found
                speakers |= found
            if snippet.speaker:
                speakers.add(snippet.speaker)
            if speakers:
                quoted[i] = frozenset(speakers)
        return quoted


# Snippets tokenised at a time while building: bounds the memory the words' texts take.
_CHUNK = 8192


def _runs(ids: npt.NDArray[np.int32], doc_of: IntArray, run: list[int]) -> IntArray:
    """The snippets whose words hold `run` (word ids) in a row."""
    k = len(run)
    if not k or min(run) < 0 or len(ids) < k:
        return np.zeros(0, dtype=np.int32)
    span = len(ids) - k + 1
    hit = ids[:span] == run[0]
    for j in range(1, k):
        hit &= (ids[j : j + span] == run[j]) & (doc_of[j : j + span] == doc_of[:span])
    return np.asarray(doc_of[:span][hit], dtype=np.int32)


@dataclass(frozen=True)
class Held:
    """(snippet, piece) pairs in snippet order, and how many pieces each snippet holds."""

    docs: IntArray
    pieces: npt.NDArray[np.int64]
    per_doc: npt.NDArray[np.int64]


def _pairs(lists: list[list[int]], unique: bool = False) -> Held:
    """The pieces each snippet holds as arrays; -1 (an unknown piece) dropped, and with `unique`
    a piece held twice by one snippet kept once."""
    per_doc = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    pieces = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(per_doc.sum()))
    docs = np.repeat(np.arange(len(lists), dtype=np.int32), per_doc)
    keep = pieces >= 0
    if unique and len(pieces):
        key = docs.astype(np.int64) * (int(pieces.max()) + 1) + pieces
        first = np.zeros(len(key), dtype=bool)
        first[np.unique(key, return_index=True)[1]] = True
        keep &= first
    docs, pieces = docs[keep], pieces[keep]
    return Held(docs, pieces, np.bincount(docs, minlength=len(lists)).astype(np.int64))


def _gather(
    piece_ids: npt.NDArray[np.int32], piece_lengths: npt.NDArray[np.int64], held: Held
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """The words of each snippet's pieces, in order, and how many each snippet has."""
    pieces = held.pieces
    lengths = piece_lengths[pieces] if len(pieces) else np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(piece_lengths)))[pieces] if len(pieces) else lengths
    total = int(lengths.sum())
    # For each output word: its piece's start plus its position within the piece.
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    words_at = np.repeat(starts, lengths) + offsets
    words_per_doc = np.bincount(held.docs, weights=lengths, minlength=len(held.per_doc)).astype(np.int64)
    return piece_ids[words_at], words_per_doc


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
