"""Ranking snippets for a question, and saying honestly when the briefing does not cover it."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.answer.index import Index
from bot.answer.query import Query, Word, understand
from bot.answer.tokens import STOPWORDS, fold, stem, words
from bot.briefing.models import Briefing, Certainty, Snippet

# A question is answered only when the briefing knows most of what it asks about (by idf mass):
# "who is the president of France" knows "president" but not "France", and is refused.
MIN_COVERAGE = 0.6
# Below this the best snippet shares too little with the question to be an answer.
MIN_SCORE = 2.0
# Extra score for snippets tagged with an entity the question names, per unit of the entity's idf.
ENTITY_BOOST = 0.6
TITLE_ENTITY_BOOST = 0.6
SPEAKER_BOOST = 1.5
# "How do I make …", "how to install …": advice, which a news briefing never gives.
_HOW_TO = re.compile(r"\s*how (?:do|can|should|could|would) (?:i|we|you|one)\b|\s*how to\b")
# "Who is/was …" asks for the person holding a role: the answer must name that role.
_IDENTITY = re.compile(r"\s*who(?:'s| is| was| are| were)\b")
# Snippets re-ranked by phrase matches, and the bonus per adjacent pair of question words found
# adjacent in a snippet's title or text ("foreign minister" beats "deputy ... minister").
RERANK = 10
PHRASE_BONUS = 2.0
PAIR_CACHE = 20_000
_NUMBER = re.compile(
    r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million"
    r"|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b"
)


# ... and the best snippet itself must speak of most of it: "when is the *next* Kim-Putin summit"
# shares "Kim", "Putin" and "summit" with many snippets, but none speaks of a next one.
MIN_SUPPORT = 0.45


@dataclass(frozen=True)
class Hit:
    snippet: Snippet
    score: float
    position: int


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    # Why the question was not answered, in a sentence for the reader.
    reason: str | None = None


class Engine:
    def __init__(self, briefing: Briefing) -> None:
        self.briefing = briefing
        self.index = Index(briefing)
        self._biases: dict[str, np.ndarray] = {}
        self._pair_cache: dict[int, frozenset[tuple[str, str]]] = {}
        self._topic_choices = {f"/topic {t.title}": fold(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        self._people = {f"/who {e.name}": fold(" ".join(e.spellings)) for e in briefing.entities if e.kind == "person"}

    def ask(self, question: str, limit: int = 5) -> Answer:
        text = question.strip()
        if not text:
            return Answer(question, False, (), self.suggest(""), "Ask a question about the summit.")
        if _HOW_TO.match(text.lower()):
            advice = "Not covered by this briefing: it reports on the summit and gives no how-to advice."
            return Answer(question, False, (), self.suggest(text), advice)
        query = understand(self.index, text)
        if not query.content:
            return Answer(
                question, False, (), self.suggest(text), "Ask about a person, a place or a topic of the summit."
            )
        hits = self._rank(query, limit)
        reason = self._refusal(query, hits)
        if reason:
            return Answer(question, False, (), self.suggest(text), reason)
        return Answer(question, True, hits, self._related(hits))

    def scores(self, query: Query) -> np.ndarray:
        index = self.index
        scores = np.zeros(index.n, dtype=np.float32)
        for term, weight in query.terms:
            posting = index.postings.get(term)
            if posting is not None:
                ids, values = posting
                scores[ids] += weight * values
        for mention in query.entities:
            idf = index.entity_idf(mention.entity_id)
            docs = index.entity_docs.get(mention.entity_id)
            if docs is not None:
                scores[docs] += ENTITY_BOOST * idf
            titled = index.entity_title_docs.get(mention.entity_id)
            if titled is not None:
                scores[titled] += TITLE_ENTITY_BOOST * idf
            if "quote" in query.intents and mention.entity_id in index.speaker_docs:
                scores[index.speaker_docs[mention.entity_id]] *= SPEAKER_BOOST
        return scores

    def _rank(self, query: Query, limit: int) -> tuple[Hit, ...]:
        scores = self.scores(query)
        if "why" in query.intents:
            scores *= self._bias("why")
        if "count" in query.intents:
            scores *= self._bias("count")
        for intent in ("where", "who"):
            if intent in query.intents:
                scores *= self._bias(intent)
        count = min(max(limit, RERANK), self.index.n)
        if count == 0:
            return ()
        top = np.argpartition(-scores, count - 1)[:count]
        pairs = query.pairs
        ranked = sorted(
            ((float(scores[i]) + self._phrase_bonus(int(i), pairs), int(i)) for i in top if scores[i] > 0),
            key=lambda pair: -pair[0],
        )
        return tuple(Hit(self.index.snippets[i], score, i) for score, i in ranked[:limit])

    def _phrase_bonus(self, doc: int, pairs: set[tuple[str, str]]) -> float:
        if not pairs:
            return 0.0
        return PHRASE_BONUS * len(pairs & self._pairs(doc))

    def _pairs(self, doc: int) -> frozenset[tuple[str, str]]:
        """Adjacent meaningful words of a snippet's title and text; kept for the snippets asked about
        (all of them for the shipped briefing, the busiest ones for a very large one)."""
        pairs = self._pair_cache.get(doc)
        if pairs is None:
            snippet = self.index.snippets[doc]
            stems = [stem(w) for w in words(f"{snippet.title} . {snippet.text}") if w not in STOPWORDS]
            pairs = frozenset(itertools.pairwise(stems))
            if len(self._pair_cache) >= PAIR_CACHE:
                self._pair_cache.pop(next(iter(self._pair_cache)))
            self._pair_cache[doc] = pairs
        return pairs

    def speaks_of(self, word: Word, hit: Hit) -> bool:
        return bool(word.entity_id and self.index.tagged(hit.position, word.entity_id)) or any(
            self.index.contains(hit.position, term) for term in word.stems
        )

    def support(self, query: Query, hit: Hit) -> float:
        """The share of the question's information (idf mass) that this snippet speaks of."""
        total = sum(w.weight for w in query.content)
        if not total:
            return 0.0
        return sum(w.weight for w in query.content if self.speaks_of(w, hit)) / total

    def warm(self) -> None:
        """Compute now what the first question of each intent would compute (a reload builds the
        engine in a worker thread, so the first answers after it stay fast)."""
        for intent in ("why", "count", "where", "who"):
            self._bias(intent)

    def _bias(self, intent: str) -> np.ndarray:
        """Per-snippet score factors for an intent, computed once: why → analysis, how many → a
        figure in the text, where / who → a place / person that few snippets name (not Russia, not Kim)."""
        if intent not in self._biases:
            snippets = self.index.snippets
            if intent == "why":
                reasons = {Certainty.analysis, Certainty.speculation}
                factors = [1.15 if s.certainty in reasons else 1.0 for s in snippets]
            elif intent == "count":
                factors = [1.3 if _NUMBER.search(s.text.lower()) else 1.0 for s in snippets]
            else:
                kind = "place" if intent == "where" else "person"
                specific = {
                    e.id
                    for e in self.briefing.entities
                    if e.kind == kind and len(self.index.entity_docs.get(e.id, ())) < 0.2 * max(1, self.index.n)
                }
                factors = [1.15 if specific & set(s.entities) else 1.0 for s in snippets]
            self._biases[intent] = np.array(factors, dtype=np.float32)
        return self._biases[intent]

    def _refusal(self, query: Query, hits: tuple[Hit, ...]) -> str | None:
        numbers = [w for w in query.unknown if w.isdigit()]
        if numbers:
            # A year or figure the articles never mention is a question about something else.
            return f"Not covered by this briefing: the articles never mention {_quoted(numbers)}."
        weak = not hits or hits[0].score < MIN_SCORE or self.support(query, hits[0]) < MIN_SUPPORT
        if weak or query.coverage < MIN_COVERAGE:
            unknown = query.unknown
            if unknown:
                return f"Not covered by this briefing: it says nothing about {_quoted(unknown)}."
            return "Not covered by this briefing."
        if "count" in query.intents and not _NUMBER.search(hits[0].snippet.text.lower()):
            return "Not covered by this briefing: the articles give no figure for that."
        subject = [w for w in query.content if w.names_the_subject]
        if _IDENTITY.match(query.text.lower()) and len(subject) <= 2:
            # "Who is South Korea's president": the answer must speak of the role asked about.
            missing = [w.text for w in subject if not self.speaks_of(w, hits[0])]
            if missing:
                return f"Not covered by this briefing: it names no one as {_quoted(missing)}."
        return None

    def suggest(self, text: str, limit: int = 3) -> tuple[str, ...]:
        """The nearest topics and people, or a starting point when nothing is near."""
        folded = fold(text)
        picks: list[tuple[float, str]] = []
        for choices in (self._topic_choices, self._people):
            for label, score, _ in process.extract(folded, choices, scorer=fuzz.token_set_ratio, limit=2):
                if score >= 60:
                    picks.append((score, label))
        chosen = [label for _, label in sorted(picks, reverse=True)[:limit]]
        return tuple(chosen) if chosen else ("/brief", "/sources", "/help")

    def _related(self, hits: tuple[Hit, ...]) -> tuple[str, ...]:
        titles: list[str] = []
        for hit in hits:
            topic = self.index.topics.get(hit.snippet.topic)
            if topic and f"/topic {topic.title}" not in titles:
                titles.append(f"/topic {topic.title}")
        return tuple(titles[:3])


def _quoted(items: list[str]) -> str:
    quoted = [f"“{item}”" for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
