"""Answering a question from the briefing, or saying honestly that the briefing does not cover it.

The pipeline: understand the question (query.py); pick candidates with a cheap score (BM25F and
entity matches); describe each by named features (features.py) and order them by the fitted
weights (model.py); then one calibrated decision, over features of the question and its best
candidate, answers or refuses. Three kinds of question are served by rule, each for what a reader
expects of it: a bare name gets that entity's card, "<name> quotes" their own words, a bare topic
name its topic card.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from bot.answer.features import (
    RANK_FEATURES,
    Candidate,
    FloatArray,
    Profile,
    Profiles,
    part_shares,
    rank_features,
    refusal_features,
    unquoted,
)
from bot.answer.index import Index
from bot.answer.lexicon import Lexicon, Settings, load_lexicon, load_settings
from bot.answer.model import Model, Scorer, load_model
from bot.answer.query import Query, Understanding, Word, unknown_kind
from bot.answer.tokens import fold
from bot.briefing.models import Briefing, Citation, Entity, Snippet, Topic


@dataclass(frozen=True)
class Hit:
    """One result: a snippet, or an entity's or topic's card."""

    id: str
    kind: str  # "snippet", "entity" or "topic"
    title: str
    text: str
    score: float
    candidate: Candidate

    @property
    def snippet(self) -> Snippet | None:
        return self.candidate.snippet

    @property
    def citations(self) -> tuple[Citation, ...]:
        if self.candidate.snippet is not None:
            return self.candidate.snippet.sources
        return self.candidate.citations


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool
    # The answer, best first; empty when the question is refused.
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    # Why the question was not answered, in a sentence for the reader.
    reason: str | None = None
    # The question as searched when typos were corrected ("showing results for …").
    corrected: str | None = None
    # With a refusal: the nearest facts the briefing does hold, offered as related, not as the answer.
    related: tuple[Hit, ...] = ()
    # P(answerable) from the calibrated decision, where it was taken.
    confidence: float | None = None
    # Parts of a question of several parts that the answer does not cover, as the reader wrote them.
    uncovered: tuple[str, ...] = ()


@dataclass
class Analysis:
    """Everything about a question that does not depend on the fitted weights."""

    text: str
    query: Query | None
    # "empty", "command", "chat", "no_content", "name", "quote", "topic" or "ranked"
    mode: str
    candidates: list[Candidate] = field(default_factory=list)
    features: FloatArray = field(default_factory=lambda: np.zeros((0, len(RANK_FEATURES))))
    bm25: list[float] = field(default_factory=list)
    # Candidates shown first whatever their score (the card of a bare name or topic).
    pinned: int = 0


class Engine:
    def __init__(
        self,
        briefing: Briefing,
        lexicon: Lexicon | None = None,
        settings: Settings | None = None,
        model: Model | None = None,
        cached: bool = False,
    ) -> None:
        self.briefing = briefing
        if cached and lexicon is None and settings is None:
            # A command that answers once and exits: the index this briefing had last time (cache.py).
            from bot.answer.cache import index_for

            self.index = index_for(briefing)
            self.lexicon, self.settings = self.index.lexicon, self.index.settings
        else:
            self.lexicon = lexicon or load_lexicon()
            self.settings = settings or load_settings()
            self.index = Index(briefing, self.lexicon, self.settings)
        self.understand = Understanding(self.index)
        self.profiles = Profiles(self.index)
        self._model = model
        self._scorer: Scorer | None = None
        self._topic_choices = {f"/topic {t.title}": fold(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        self._people = {f"/who {e.name}": fold(" ".join(e.spellings)) for e in briefing.entities if e.kind == "person"}
        self._cards: dict[str, Candidate] = {}

    @property
    def scorer(self) -> Scorer:
        """The fitted model, read when first needed (the fitting script never needs it)."""
        if self._scorer is None:
            self._scorer = Scorer(self._model or load_model())
        return self._scorer

    def warm(self) -> None:
        """Load the model and compute what the first questions of each kind would (a reload builds
        the engine in a worker thread, so the first answers after the swap stay fast)."""
        for question in ("who met", "where did they meet", "why meet", "how many met", "when met", "what did they say"):
            self.ask(question)

    # -- answering -----------------------------------------------------------------------------------

    def ask(self, question: str, limit: int | None = None) -> Answer:
        return self.decide(self.analyse(question), self.scorer, limit)

    def _answer_parts(
        self, query: Query, order: list[int], analysis: Analysis, hits: tuple[Hit, ...], scorer: Scorer
    ) -> tuple[tuple[Hit, ...], tuple[str, ...]]:
        """A question of several parts whose best answer leaves one out: each part left out is
        asked on its own, and the answers join the best one as the first result. Returns the hits
        and the parts the briefing does not answer."""
        if len(query.part_texts) < 2 or not hits:
            return hits, ()
        best = self.profiles(analysis.candidates[order[0]])
        shares = part_shares(self.index, query, best)
        answered = [k for k, share in enumerate(shares) if share >= self.settings.part_answered]
        # Each answer where its part stands in the question.
        placed = [(answered[0] if answered else 0, hits[0])]
        uncovered = []
        for k, text in enumerate(query.part_texts):
            # A part that is a question of its own ("… & what does Putin want") is asked alone even
            # when the best answer holds its words: a snippet on what Kim wants names Putin too. Not
            # one after a condition ("apart from weapons, what …"), nor one that refers back ("… and
            # what did *he* warn about"): alone, it asks another question, or of nobody.
            if k in answered and (k == placed[0][0] or not query.questions or query.refers_back[k]):
                continue
            part = self.decide(self.analyse(text), scorer, combine=False)
            if not part.answered:
                if k not in answered:
                    uncovered.append(text)
            elif part.hits[0].id not in {h.id for _, h in placed}:
                placed.append((k, part.hits[0]))
        if len(placed) == 1:
            return hits, tuple(uncovered)
        joined = [h for _, h in sorted(placed, key=lambda x: x[0])]
        return self._joined(joined, hits), tuple(uncovered)

    def _joined(self, joined: list[Hit], hits: tuple[Hit, ...]) -> tuple[Hit, ...]:
        """The answers to a question's parts as one first result, then the other hits."""
        pieces = tuple(h.candidate for h in joined)
        combined = Candidate(
            "+".join(h.id for h in joined),
            "combined",
            " · ".join(h.title for h in joined),
            "\n\n".join(h.text for h in joined),
            citations=tuple(c for h in joined for c in h.citations),
            parts=pieces,
        )
        rest = tuple(h for h in hits if h.id not in {p.id for p in pieces})
        return (self._hit(combined, joined[0].score), *rest)[: max(len(hits), 1)]

    def _parts_answered(self, query: Query, scorer: Scorer, limit: int) -> Answer | None:
        """A question of several parts refused as a whole: its parts asked on their own. When each is
        answered, or some are and they are separate questions, those are answered and the others
        named as not covered."""
        if len(query.part_texts) < 2:
            return None
        parts = [self.decide(self.analyse(t), scorer, limit, combine=False) for t in query.part_texts]
        for k in range(1, len(parts)):
            # "What is AUKUS and who signed it": with the part it refers to unanswered, "who signed
            # it" answered alone would answer some other question.
            if query.refers_back[k] and not all(p.answered for p in parts[:k]):
                parts[k] = dataclasses.replace(parts[k], answered=False)
        answered = [p for p in parts if p.answered and p.hits]
        if not answered:
            return None
        # One question naming several things is answered whole or not at all; separate questions
        # each on their own ("what did Putin say, and what did Xi say": Putin's words, Xi not
        # covered), when what is answered is sure on its own: a fragment out of its question
        # ("messi or ronaldo, who's better") is vaguer than a question.
        if len(answered) < len(parts):
            alone = self.settings.part_alone
            # A name-only question's answer (its card, its quotes) has no confidence: it is sure.
            if not query.separate or any(p.confidence is not None and p.confidence < alone for p in answered):
                return None
        joined: list[Hit] = []
        for part in answered:
            if part.hits[0].id not in {h.id for h in joined}:
                joined.append(part.hits[0])
        others = tuple(h for part in answered for h in part.hits[1:])
        hits = self._joined(joined, others) if len(joined) > 1 else (joined[0], *others)
        unique = tuple({h.id: h for h in hits}.values())[:limit]
        confidence = min((p.confidence for p in answered if p.confidence is not None), default=None)
        uncovered = tuple(t for t, p in zip(query.part_texts, parts, strict=True) if not (p.answered and p.hits))
        topics = self._related_topics(unique)
        return Answer(query.text, True, unique, topics, None, query.corrected_text, (), confidence, uncovered)

    def analyse(self, question: str) -> Analysis:
        text = question.strip()
        if not text:
            return Analysis(question, None, "empty")
        query = self.understand(text)
        if "command" in query.intents:
            return Analysis(question, query, "command")
        if "chat" in query.intents and not query.entities:
            return Analysis(question, query, "chat")
        # No word of substance, or nothing but figures ("whats 2+2"): no subject to search for.
        if all(w.text.isdigit() for w in query.content):
            return Analysis(question, query, "no_content")
        index = self.index
        if query.name_only is not None:
            entity = index.entities[query.name_only]
            quoted = index.quoted_docs.get(entity.id)
            if "quote" in query.intents and quoted is not None:
                # A pool's worth at most (a briefing may quote someone in thousands of snippets), in
                # the briefing's order.
                docs = sorted(self._best(self._bm25(query), quoted))
                return self._analysis(question, query, "quote", docs, [])
            tagged = index.entity_docs.get(entity.id, np.zeros(0, dtype=np.int32))
            docs = self._best(self._bm25(query), tagged)
            return self._analysis(question, query, "name", docs, [self.entity_card(entity)], pinned=1)
        if query.topic_only is not None:
            topic = index.topics[query.topic_only]
            docs = self._best(self._bm25(query), index.topic_docs.get(topic.id, np.zeros(0, dtype=np.int32)))
            return self._analysis(question, query, "topic", docs, [self.topic_card(topic)], pinned=1)
        bm25 = self._bm25(query)
        pool = bm25 + self._boosts(query)
        count = min(self.settings.candidates, index.n)
        docs = []
        if count:
            top = np.argpartition(-pool, count - 1)[:count]
            docs = [int(i) for i in top[np.argsort(-pool[top], kind="stable")] if pool[i] > 0]
        cards = [self.entity_card(index.entities[e]) for e in query.roles]
        return self._analysis(question, query, "ranked", docs, cards, bm25)

    def decide(self, analysis: Analysis, scorer: Scorer, limit: int | None = None, combine: bool = True) -> Answer:
        limit = limit or self.settings.results
        query, text = analysis.query, analysis.text
        if query is None:
            return Answer(text, False, (), self.suggest(""), "Ask a question about the summit.")
        corrected = query.corrected_text
        if analysis.mode == "command":
            reason = "That is a command, not a question about the summit: commands are listed by /help."
            return Answer(text, False, (), ("/help", "/brief"), reason, corrected)
        if analysis.mode == "chat":
            reason = "That is chat with the bot, not a question about the summit: ask about its people or events."
            return Answer(text, False, (), ("/brief", "/help"), reason, corrected)
        if analysis.mode == "no_content":
            reason = "Ask about a person, a place or a topic of the summit."
            return Answer(text, False, (), self.suggest(text), reason, corrected)
        scores = scorer.rank(analysis.features) if len(analysis.candidates) else np.zeros(0)
        pinned = list(range(analysis.pinned))
        rest = sorted(range(analysis.pinned, len(analysis.candidates)), key=lambda i: -scores[i])
        order = pinned + rest
        # A pinned card is shown first: its score is at least the best of the others.
        floor = float(scores[rest[0]]) if rest else 0.0
        shown = [max(float(scores[i]), floor) if i in pinned else float(scores[i]) for i in order[:limit]]
        hits = tuple(self._hit(analysis.candidates[i], s) for i, s in zip(order[:limit], shown, strict=True))
        if analysis.mode != "ranked":
            return Answer(text, bool(hits), hits, self._related_topics(hits), None, corrected)
        if combine and query.distributed:
            # "When and where was the summit": the answers of "when …" and of "where …", joined.
            whole = self._parts_answered(query, scorer, limit)
            if whole is not None:
                return dataclasses.replace(whole, query=text)
        best = self.profiles(analysis.candidates[order[0]]) if order else None
        vector = refusal_features(self.index, query, analysis.features, scores, order, best)
        confidence = scorer.answerable(vector)
        if hits and confidence >= scorer.threshold:
            uncovered: tuple[str, ...] = ()
            if combine:
                hits, uncovered = self._answer_parts(query, order, analysis, hits, scorer)
            related_topics = self._related_topics(hits)
            return Answer(text, True, hits, related_topics, None, corrected, (), confidence, uncovered)
        whole = self._parts_answered(query, scorer, limit) if combine else None
        if whole is not None:
            return whole
        if combine and query.asking is not None:
            # Refused with its comments: the sentences that ask may be answered alone.
            alone = self.decide(self.analyse(query.asking), scorer, limit)
            if alone.answered:
                return dataclasses.replace(alone, query=text)
        related: tuple[Hit, ...] = ()
        # Near the subject (it names one of the briefing's people, places or bodies): the nearest
        # facts are worth offering. Off the subject ("the capital of Australia"): a plain refusal.
        if query.entities:
            related = tuple(h for h in hits if h.kind == "snippet")[: self.settings.related]
        reason = self._reason(query, analysis, order)
        return Answer(text, False, (), self.suggest(text), reason, corrected, related, confidence)

    # -- candidates ----------------------------------------------------------------------------------

    def _bm25(self, query: Query) -> FloatArray:
        postings = self.index.postings
        found = [(p[0], weight * p[1]) for term, weight in query.terms if (p := postings.get(term)) is not None]
        if not found:
            return np.zeros(self.index.n, dtype=np.float64)
        # One pass over every posting (each term's in the question's order, as adding term by term).
        ids = np.concatenate([f[0] for f in found])
        values = np.concatenate([f[1] for f in found])
        scores: FloatArray = np.bincount(ids, weights=values, minlength=self.index.n).astype(np.float64, copy=False)
        return scores

    def _boosts(self, query: Query) -> FloatArray:
        index, pool = self.index, self.settings.pool
        boosts = np.zeros(index.n, dtype=np.float64)
        named = {m.entity_id for m in query.entities}
        # What a name stands for counts too ("Pyongyang": North Korea), as a named entity's own role does.
        # Sorted: summed in an order that does not depend on the hash seed, so refits are exact.
        strengths = dict.fromkeys(sorted({e for n in named for e in index.also[n]}), 1.0) | dict(query.roles)
        for entity_id, strength in strengths.items():
            idf = index.entity_idf(entity_id) * strength
            docs = index.entity_docs.get(entity_id)
            if docs is not None:
                boosts[docs] += pool["entity"] * idf
            titled = index.entity_title_docs.get(entity_id)
            if titled is not None:
                boosts[titled] += pool["entity_title"] * idf
        return boosts

    def _best(self, scores: FloatArray, docs: np.ndarray) -> list[int]:
        """The best-scoring of `docs`, at most a pool's worth, in the order of their score."""
        if not len(docs):
            return []
        order = np.argsort(-scores[docs], kind="stable")[: self.settings.candidates]
        return [int(docs[i]) for i in order]

    def _analysis(
        self,
        question: str,
        query: Query,
        mode: str,
        docs: list[int],
        cards: list[Candidate],
        bm25: FloatArray | None = None,
        pinned: int = 0,
    ) -> Analysis:
        snippets = self.index.snippets
        bm25 = self._bm25(query) if bm25 is None else bm25
        candidates = cards + [
            Candidate(s.id, "snippet", s.title, s.text, d, snippet=s) for d in docs for s in (snippets[d],)
        ]
        scores = [0.0] * len(cards) + [float(bm25[d]) for d in docs]
        profiles = [self.profiles(c) for c in candidates]
        features = rank_features(self.index, query, candidates, profiles, scores)
        return Analysis(question, query, mode, candidates, features, scores, pinned)

    def entity_card(self, entity: Entity) -> Candidate:
        key = f"entity:{entity.id}"
        card = self._cards.get(key)
        if card is None:
            also = f" Also written: {', '.join(entity.aliases)}." if entity.aliases else ""
            text = f"{entity.name}: {entity.role}{also}"
            card = Candidate(key, "entity", entity.name, text, entity=entity, citations=self._naming(entity))
            self._cards[key] = card
        return card

    def topic_card(self, topic: Topic) -> Candidate:
        key = f"topic:{topic.id}"
        card = self._cards.get(key)
        if card is None:
            members = self.index.topic_docs.get(topic.id, np.zeros(0, dtype=np.int32))[:2]
            citations = tuple(self.index.snippets[int(i)].sources[0] for i in members)
            text = f"{topic.title}: {topic.summary}"
            card = Candidate(key, "topic", topic.title, text, topic=topic, citations=citations)
            self._cards[key] = card
        return card

    def _naming(self, entity: Entity) -> tuple[Citation, ...]:
        """Article sentences that name the entity: where a reader can see it in the sources."""
        names = [fold(s) for s in entity.spellings]
        docs = self.index.entity_title_docs.get(entity.id)
        tagged = self.index.entity_docs.get(entity.id)
        order = [*(docs if docs is not None else ()), *(tagged if tagged is not None else ())]
        found: dict[tuple[str, str], Citation] = {}
        for doc in order:
            for citation in self.index.snippets[int(doc)].sources:
                quote = fold(citation.quote)
                if any(name in quote for name in names):
                    found.setdefault((citation.article, citation.quote), citation)
            if len(found) >= 2:
                break
        return tuple(found.values())[:2]

    def _hit(self, candidate: Candidate, score: float) -> Hit:
        return Hit(candidate.id, candidate.kind, candidate.title, candidate.text, score, candidate)

    # -- refusals and suggestions ----------------------------------------------------------------------

    def _reason(self, query: Query, analysis: Analysis, order: list[int]) -> str:
        bounds = self.settings.unknown_words
        if "howto" in query.intents:
            return "Not covered by this briefing: it reports on the summit and gives no how-to advice."
        numbers = [w.text for w in query.unknown if unknown_kind(w, bounds.rare, bounds.common) == "number"]
        if numbers:
            return f"Not covered by this briefing: the articles never mention {_quoted(numbers)}."
        unknown = [w.text for w in query.unknown if not w.framing]
        # A word only reader questions use (asks.yaml) is still one the briefing never says.
        unknown += [w.text for w in query.content if w.text in self.index.asked_only and w.text not in unknown]
        if unknown:
            return f"Not covered by this briefing: it says nothing about {_quoted(unknown)}."
        if not order:
            return "Not covered by this briefing."
        silent = unquoted(self.index, query)
        if silent:
            return f"Not covered by this briefing: it never quotes {_quoted(silent)}."
        type_fit = RANK_FEATURES.index("type_fit")
        if query.asked and analysis.features[order[0], type_fit] == 0:
            asked = self.lexicon.answer_types[query.asked[0]]
            return f"Not covered by this briefing: the articles give no {asked.missing}."
        best = self.profiles(analysis.candidates[order[0]])
        subject = [w for w in query.content if not w.framing]
        missing = [w.text for w in subject if not self._spoken(w, best)]
        present = [w.text for w in subject if w.text not in missing]
        if missing and present:
            return (
                f"Not covered by this briefing: it says nothing about {_quoted(missing)} "
                f"in connection with {_quoted(present, 'and')}."
            )
        return "Not covered by this briefing: the articles do not answer that."

    def _spoken(self, word: Word, best: Profile) -> bool:
        if word.entity_id and not best.entities.isdisjoint(self.index.also[word.entity_id]):
            return True
        return not best.stems.isdisjoint(word.stems)

    def suggest(self, text: str) -> tuple[str, ...]:
        """The nearest topics and people, or a starting point when nothing is near."""
        folded = fold(text)
        picks: list[tuple[float, str]] = []
        for choices in (self._topic_choices, self._people):
            for _, score, label in process.extract(folded, choices, scorer=fuzz.token_set_ratio, limit=2):
                if score >= self.settings.suggestion_score:
                    picks.append((score, label))
        chosen = [label for _, label in sorted(picks, reverse=True)[: self.settings.suggestions]]
        return tuple(chosen) if chosen else ("/brief", "/sources", "/help")

    def _related_topics(self, hits: tuple[Hit, ...]) -> tuple[str, ...]:
        titles: list[str] = []
        for hit in hits:
            topic_id = hit.candidate.snippet.topic if hit.candidate.snippet else None
            topic = self.index.topics.get(topic_id) if topic_id else hit.candidate.topic
            if topic and f"/topic {topic.title}" not in titles:
                titles.append(f"/topic {topic.title}")
        if not titles and hits and hits[0].candidate.entity is not None:
            titles.append(f"/who {hits[0].candidate.entity.name}")
        return tuple(titles[: self.settings.suggestions])


def _quoted(items: list[str], joiner: str = "or") -> str:
    quoted = [f"“{item}”" for item in dict.fromkeys(items)]  # each once: "putin, putin" was seen
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]
