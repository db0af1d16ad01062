"""The named features the fitted model weighs: how well a candidate answers, and whether to answer.

Ranking features describe one candidate (a snippet, an entity card or a topic card) against the
question; refusal features describe the question and its best candidate. Each says what it serves.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.answer.index import Index
from bot.answer.query import Query, Word, unknown_kind
from bot.answer.tokens import stem, words
from bot.briefing.models import Certainty, Citation, Entity, Snippet, Topic

RANK_FEATURES: tuple[str, ...] = (
    "bm25",  # BM25F over the snippet's fields: the question's words, rare ones counting most
    "bm25_share",  # the same relative to the best candidate: scale-free
    "support",  # share of the question's information (idf mass) the candidate speaks of anywhere
    "sentence",  # the same within its best single sentence: the words belong together
    "title",  # share of the question's information in its title
    "text",  # ... in its text
    "terms",  # ... in its search terms (what curators expect readers to ask with)
    "quotes",  # ... in the article sentences it cites
    "entity",  # share of the entities the question names that it is tagged with
    "entity_title",  # an entity the question names is in its title: it is about them
    "role",  # tagged with an entity the question describes by its role ("the Kremlin spokesperson")
    "speaker",  # the words of an entity the question names ("Peskov", "the Kremlin")
    "speaker_quote",  # ... when the question asks what someone said
    "phrase",  # adjacent question words adjacent in it too ("foreign minister", "honour guard")
    "topic",  # share of the question's information in its topic's name and keywords
    "subject_lead",  # "what does A want from B": its title leads with A
    "object_lead",  # ... or with B, which answers the reverse question
    "why_fit",  # a why-question and it gives a reason (analysis, speculation, "because", "aim")
    "when_fit",  # a when-question and it gives a time
    "count_fit",  # a how-many-question and it gives a figure
    "where_fit",  # a where-question and it names a particular place
    "who_fit",  # a who-question and it names a particular person
    "reaction_fit",  # a question on reactions and it is someone's statement
    "confirmed",  # certainty labels: a fact rather than a report ...
    "speculation",  # ... speculation ...
    "analysis",  # ... analysis ...
    "claim",  # ... a named party's claim
    "card",  # an entity card (who someone or something is)
    "card_who",  # ... for a who-question
)

REFUSAL_FEATURES: tuple[str, ...] = (
    "coverage",  # share of the question's information the briefing knows at all
    "support",  # share the best candidate speaks of
    "sentence",  # share the best candidate's best sentence speaks of
    "score",  # the best candidate's ranking score
    "margin",  # how far ahead of the second it is
    "bm25",  # its BM25F score
    "unknown_rare",  # words the briefing never uses that are rare in English: a name, a subject
    "unknown_mid",  # ... that are middling
    "unknown_common",  # ... that are everyday words
    "unknown_number",  # a figure or year the articles never give
    "named",  # the question names an entity of the briefing
    "roles",  # it describes one by its role
    "content",  # how many content words it has
    "corrections",  # how many typos were corrected
    "count_no_figure",  # it asks how many, and the best candidate gives no figure
    "howto",  # it asks for advice ("how do I …"), which news never gives
    "future",  # it asks about the future
    "check",  # it is a yes/no question
    "card",  # the best candidate is an entity card
    "unknown_describing",  # unknown words that describe ("unusual", "legally"): seldom the subject
    "focus_unknown",  # what is asked for is a word the briefing never uses ("how many *bodyguards*")
    "when_no_time",  # it asks when, and the best candidate gives no time
    "focus_missing",  # the best candidate never speaks of what is asked for ("what *year*")
    "missing",  # the weightiest question word the best candidate does not speak of (share of idf)
    "command",  # a chat command typed as a question ("/help")
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    """Something that may answer: a snippet, or an entity's or a topic's card."""

    id: str
    kind: str  # "snippet", "entity" or "topic"
    title: str
    text: str
    position: int = -1  # the snippet's number in the index
    snippet: Snippet | None = None
    entity: Entity | None = None
    topic: Topic | None = None
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What a candidate holds, as the features need it."""

    stems: frozenset[str]
    title: frozenset[str]
    text: frozenset[str]
    terms: frozenset[str]
    quotes: frozenset[str]
    sentences: tuple[frozenset[str], ...]
    pairs: frozenset[tuple[str, str]]
    entities: frozenset[str]
    titled: frozenset[str]
    agents: frozenset[str]
    quoted: frozenset[str]
    topic: frozenset[str]
    number: bool
    time: bool
    reason: bool
    place: bool
    person: bool
    certainty: Certainty | None


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


class Profiles:
    """Profiles of candidates, computed when first asked for; a bounded number of snippets kept."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.lexicon = index.lexicon
        self._snippets: OrderedDict[int, Profile] = OrderedDict()
        self._cards: dict[str, Profile] = {}
        n = max(index.n, 1)
        share = index.settings.specific_share
        self._specific = frozenset(e for e, docs in index.entity_docs.items() if len(docs) < share * n)
        self._topic_stems = {t: frozenset(self._stems(ws)) for t, ws in index.topic_words.items()}

    def __call__(self, candidate: Candidate) -> Profile:
        if candidate.kind == "snippet":
            profile = self._snippets.get(candidate.position)
            if profile is None:
                profile = self._snippet(candidate.position)
                if len(self._snippets) >= self.index.settings.pair_cache:
                    self._snippets.popitem(last=False)
                self._snippets[candidate.position] = profile
            return profile
        profile = self._cards.get(candidate.id)
        if profile is None:
            profile = self._cards[candidate.id] = self._card(candidate)
        return profile

    def _stems(self, tokens: list[str]) -> list[str]:
        word_stem = self.index.word_stem
        return [word_stem.get(w) or stem(w) for w in tokens if w not in self.lexicon.filler]

    def _snippet(self, doc: int) -> Profile:
        index = self.index
        s = index.snippets[doc]
        sentences = [s.title, *_SENTENCE.split(s.text)]
        sentence_stems = [self._stems(words(x)) for x in sentences]
        body = list(itertools.chain.from_iterable(sentence_stems))
        terms = frozenset(self._stems(words(" ".join(s.terms))))
        quotes = frozenset(self._stems(words(" ".join(c.quote for c in s.sources))))
        tagged = frozenset((*s.entities, *([s.speaker] if s.speaker else ())))
        title_tokens = words(s.title)
        titled = frozenset(e for e in tagged if _spelled(index, e, title_tokens))
        lead = index.find_entities(s.title, title_tokens)
        agents = frozenset([lead[0][0]] if lead else []) | (frozenset([s.speaker]) if s.speaker else frozenset())
        text_tokens = words(s.text)
        kinds = {index.entities[e].kind.value for e in tagged & self._specific if e in index.entities}
        return Profile(
            stems=frozenset(body) | terms | quotes | self._entity_stems(tagged),
            title=frozenset(sentence_stems[0]),
            text=frozenset(itertools.chain.from_iterable(sentence_stems[1:])),
            terms=terms,
            quotes=quotes,
            sentences=tuple(frozenset(x) for x in sentence_stems),
            pairs=frozenset(itertools.chain.from_iterable(itertools.pairwise(x) for x in sentence_stems)),
            entities=tagged,
            titled=titled,
            agents=agents,
            quoted=index.quoted.get(doc, frozenset()),
            topic=self._topic_stems.get(s.topic, frozenset()),
            number=bool(self.lexicon.answer_cues.number.search(s.text.lower())),
            time=self._has_time(s.text, text_tokens),
            reason=s.certainty in (Certainty.analysis, Certainty.speculation)
            or bool(self.lexicon.answer_cues.why.intersection(text_tokens)),
            place="place" in kinds,
            person="person" in kinds,
            certainty=s.certainty,
        )

    def _entity_stems(self, entity_ids: frozenset[str]) -> frozenset[str]:
        return frozenset(self._stems([w for e in entity_ids for w in self.index.entity_words.get(e, [])]))

    def _has_time(self, text: str, tokens: list[str]) -> bool:
        cues = self.lexicon.answer_cues
        return bool(cues.when.intersection(tokens)) or bool(cues.time.search(text.lower()))

    def _card(self, candidate: Candidate) -> Profile:
        index = self.index
        tokens = words(f"{candidate.title} {candidate.text}")
        stems = self._stems(tokens)
        mentioned = frozenset(m[0] for m in index.find_entities(candidate.text, words(candidate.text)))
        own = frozenset([candidate.entity.id]) if candidate.entity else frozenset()
        kind = candidate.entity.kind.value if candidate.entity else ""
        return Profile(
            stems=frozenset(stems) | self._entity_stems(own | mentioned),
            title=frozenset(self._stems(words(candidate.title))),
            text=frozenset(stems),
            terms=frozenset(),
            quotes=frozenset(),
            sentences=(frozenset(stems),),
            pairs=frozenset(itertools.pairwise(stems)),
            entities=own | mentioned,
            titled=own,
            agents=own,
            quoted=frozenset(),
            topic=self._topic_stems.get(candidate.topic.id, frozenset()) if candidate.topic else frozenset(),
            number=bool(self.lexicon.answer_cues.number.search(candidate.text.lower())),
            time=self._has_time(candidate.text, tokens),
            reason=bool(self.lexicon.answer_cues.why.intersection(tokens)),
            place=kind == "place",
            person=kind == "person",
            certainty=None,
        )


def _spelled(index: Index, entity_id: str, tokens: list[str]) -> bool:
    joined = f" {' '.join(tokens)} "
    return any(f" {' '.join(w)} " in joined for w in index.spellings_of.get(entity_id, ()))


def _speaks(word: Word, profile: Profile, terms: frozenset[str]) -> bool:
    if word.entity_id is not None and word.entity_id in profile.entities:
        return True
    return any(s in terms for s in word.stems)


def rank_features(
    index: Index, query: Query, candidates: list[Candidate], profiles: list[Profile], bm25: list[float]
) -> FloatArray:
    """One row per candidate, one column per name in RANK_FEATURES."""
    total = query.total_weight or 1.0
    named = query.named
    named_idf = {m.entity_id: index.entity_idf(m.entity_id) for m in query.entities}
    named_total = sum(named_idf.values()) or 1.0
    pairs = _query_pairs(index, query)
    intents = query.intents
    best_bm25 = max(bm25, default=0.0) or 1.0
    rows = np.zeros((len(candidates), len(RANK_FEATURES)), dtype=np.float64)
    for r, (candidate, profile) in enumerate(zip(candidates, profiles, strict=True)):
        content = query.content
        support = sum(w.weight for w in content if _speaks(w, profile, profile.stems)) / total
        sentence = max(
            (sum(w.weight for w in content if _speaks_in(w, s)) for s in profile.sentences), default=0.0
        ) / total
        title = _share(content, profile.title, total)
        text = _share(content, profile.text, total)
        terms = _share(content, profile.terms, total)
        quotes = _share(content, profile.quotes, total)
        entity = sum(idf for e, idf in named_idf.items() if e in profile.entities) / named_total
        role = max((score for e, score in query.roles.items() if e in profile.entities), default=0.0)
        speaker = bool(named & profile.quoted)
        topic = sum(w.weight for w in content if any(x in profile.topic for x in w.stems)) / total
        card = candidate.kind != "snippet"
        certainty = profile.certainty
        rows[r] = (
            bm25[r],
            bm25[r] / best_bm25,
            support,
            sentence,
            title,
            text,
            terms,
            quotes,
            entity if named else 0.0,
            float(bool(named & profile.titled)),
            role,
            float(speaker),
            float(speaker and "quote" in intents),
            float(min(len(pairs & profile.pairs), 3)),
            topic,
            float(bool(query.subject & profile.agents)),
            float(bool(query.object & profile.agents)),
            float("why" in intents and profile.reason),
            float("when" in intents and profile.time),
            float("count" in intents and profile.number),
            float("where" in intents and profile.place),
            float("who" in intents and profile.person),
            float("reaction" in intents and (certainty is Certainty.claim or bool(profile.quoted))),
            float(certainty is Certainty.confirmed),
            float(certainty is Certainty.speculation),
            float(certainty is Certainty.analysis),
            float(certainty is Certainty.claim),
            float(card),
            float(card and "who" in intents),
        )
    return rows


def _share(content: list[Word], stems: frozenset[str], total: float) -> float:
    return sum(w.weight for w in content if any(x in stems for x in w.stems)) / total


def _speaks_in(word: Word, sentence: frozenset[str]) -> bool:
    return any(s in sentence for s in word.stems)


def _query_pairs(index: Index, query: Query) -> frozenset[tuple[str, str]]:
    filler = index.lexicon.filler
    stems = [index.word_stem.get(w) or stem(w) for w in query.tokens if w not in filler]
    return frozenset(itertools.pairwise(stems))


def refusal_features(
    index: Index,
    query: Query,
    ranked: FloatArray,
    scores: FloatArray,
    bm25: list[float],
    order: list[int],
    best: Profile | None,
) -> FloatArray:
    """The question and its best candidate, as a vector in REFUSAL_FEATURES order. `ranked` holds the
    candidates' rank features, `scores` their ranking scores, `order` their positions best first."""
    unknown = {"rare": 0, "mid": 0, "common": 0, "number": 0}
    bounds = index.settings.unknown_words
    for word in query.unknown:
        unknown[unknown_kind(word, bounds.rare, bounds.common)] += 1
    column = {name: i for i, name in enumerate(RANK_FEATURES)}
    top = order[0] if order else None
    second = order[1] if len(order) > 1 else None

    def of(name: str) -> float:
        return float(ranked[top, column[name]]) if top is not None else 0.0

    top_score = float(scores[top]) if top is not None else 0.0
    margin = top_score - float(scores[second]) if second is not None else top_score
    intents = query.intents
    describing = sum(1 for w in query.unknown if index.lexicon.describing(w.text))
    focus_unknown = float(query.focus is not None and not query.focus.known)
    missing = 0.0
    focus_missing = 0.0
    if best is not None:
        unsupported = [w.weight for w in query.content if not w.framing and not _speaks(w, best, best.stems)]
        missing = max(unsupported, default=0.0) / index.max_idf
        if query.focus is not None and not _speaks(query.focus, best, best.stems):
            focus_missing = 1.0
    return np.array(
        (
            query.coverage,
            of("support"),
            of("sentence"),
            top_score,
            margin,
            bm25[top] if top is not None else 0.0,
            unknown["rare"],
            unknown["mid"],
            unknown["common"],
            unknown["number"],
            float(bool(query.entities)),
            float(bool(query.roles)),
            float(sum(1 for w in query.content if not w.framing)),
            float(len(query.corrections)),
            float("count" in intents and of("count_fit") == 0.0),
            float("howto" in intents),
            float("future" in intents),
            float("check" in intents),
            of("card"),
            describing,
            focus_unknown,
            float("when" in intents and of("when_fit") == 0.0),
            focus_missing,
            missing,
            float("command" in intents),
        ),
        dtype=np.float64,
    )
