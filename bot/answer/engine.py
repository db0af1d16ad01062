"""Ranking snippets for a question, and saying honestly when the briefing does not cover it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.answer.index import Index
from bot.answer.query import Query, understand
from bot.answer.tokens import fold
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
_NUMBER = re.compile(r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|second)\b")


@dataclass(frozen=True)
class Hit:
    snippet: Snippet
    score: float


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
        self._topic_choices = {f"/topic {t.title}": fold(" ".join((t.title, *t.keywords))) for t in briefing.topics}
        self._people = {f"/who {e.name}": fold(" ".join(e.spellings)) for e in briefing.entities if e.kind == "person"}

    def ask(self, question: str, limit: int = 5) -> Answer:
        text = question.strip()
        if not text:
            return Answer(question, False, (), self.suggest(""), "Ask a question about the summit.")
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
            scores *= self._analysis_bias
        count = min(limit, self.index.n)
        if count == 0:
            return ()
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        return tuple(Hit(self.index.snippets[i], float(scores[i])) for i in top if scores[i] > 0)

    @property
    def _analysis_bias(self) -> np.ndarray:
        if not hasattr(self, "_bias"):
            reasons = {Certainty.analysis, Certainty.speculation}
            self._bias = np.array([1.15 if s.certainty in reasons else 1.0 for s in self.index.snippets], np.float32)
        return self._bias

    def _refusal(self, query: Query, hits: tuple[Hit, ...]) -> str | None:
        if not hits or query.coverage < MIN_COVERAGE or hits[0].score < MIN_SCORE:
            unknown = query.unknown
            if unknown:
                return f"Not covered by this briefing: it says nothing about {_quoted(unknown)}."
            return "Not covered by this briefing."
        if "count" in query.intents and not _NUMBER.search(hits[0].snippet.text.lower()):
            return "Not covered by this briefing: the articles give no figure for that."
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
