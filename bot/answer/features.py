"""The named features the fitted model weighs: how well a candidate answers, and whether to answer.

Ranking features describe one candidate (a snippet, an entity card or a topic card) against the
question; refusal features describe the question and its best candidate. Each says what it serves.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.answer.index import Index
from bot.answer.query import Query, Word, unknown_kind
from bot.answer.tokens import fold, split, stem, words
from bot.briefing.models import Certainty, Citation, Entity, Snippet, Topic

RANK_FEATURES: tuple[str, ...] = (
    "bm25",  # BM25F over the snippet's fields: the question's words, rare ones counting most
    "bm25_share",  # the same relative to the best candidate: scale-free
    "support",  # share of the question's information (idf mass) the candidate speaks of anywhere
    "sentence",  # the same within its best single sentence: the words belong together
    "parts",  # a question asking several things: the least it speaks of any one part (else: support)
    "title",  # share of the question's information in its title
    "text",  # ... in its text
    "terms",  # ... in its search terms (what curators expect readers to ask with)
    "asks",  # ... in the questions readers would ask that it answers (briefings/asks.yaml)
    "ask",  # ... in the one of those questions that holds most of it: the question asked in other words
    "ask_ratio",  # how alike the question and that nearest reader question are, word for word (rapidfuzz)
    "quotes",  # ... in the article sentences it cites
    "entity",  # share of the entities the question names that it is tagged with
    "entity_title",  # an entity the question names is in its title: it is about them
    "role",  # tagged with an entity the question describes by its role ("the Kremlin spokesperson")
    "speaker",  # the words of an entity the question names ("Peskov", "the Kremlin")
    "speaker_quote",  # ... when the question asks what someone said
    "phrase",  # adjacent question words adjacent in it too ("foreign minister", "honour guard")
    "focus",  # it speaks of what is asked for ("which *region*")
    "action",  # it speaks of the action asked about ("did Kim *watch* …", "who *cooked* …")
    "topic",  # share of the question's information in its topic's name and keywords
    "subject_lead",  # "what does A want from B": its title leads with A
    "object_lead",  # ... or with B, which answers the reverse question
    "why_fit",  # a why-question and it gives a reason (analysis, speculation, "because", "aim")
    "type_fit",  # it holds what the question asks for: a time, a figure, a decade, a direction, a colour ...
    "type_sentence",  # ... in a sentence that speaks of the question (share of its information there)
    "where_fit",  # a where-question and it names a particular place
    "who_fit",  # a who-question and it names a particular person
    "reaction_fit",  # a question on reactions and it is someone's statement
    "certainty_fit",  # a question on how sure the reports are, and it says (evidence, denials, doubt ...)
    "confirmed",  # certainty labels: a fact rather than a report ...
    "speculation",  # ... speculation ...
    "analysis",  # ... analysis ...
    "claim",  # ... a named party's claim
    "card",  # an entity card (who someone or something is)
    "card_who",  # ... for a who-question
)

# The decision to answer weighs these: each holds on phrasing nobody tuned for (chosen by cross-validation
# on calibration.jsonl, README: "Fitting and measuring"). An unknown word counts in `coverage` by how
# rare it is in English: a rare one (a name, a subject) weighs fully, an everyday one little.
REFUSAL_FEATURES: tuple[str, ...] = (
    "coverage",  # share of the question's information (its meaningful words, by rarity) the briefing knows
    "sentence",  # share the best candidate speaks of within one sentence
    "ask_ratio",  # how alike the question and the best candidate's nearest reader question are
    "unasked_ratio",  # ... and the nearest question of the summit no article answers (unasked.yaml)
    "score",  # the best candidate's ranking score
    "content",  # how many meaningful words the question has
    "roles",  # it describes an entity by its role ("the Kremlin spokesperson")
    "entity_missing",  # share of the entities it names (by rarity) that the best candidate is not about
    "unknown_rare",  # words the briefing never uses that are rare in English: a name, a subject
    "unknown_number",  # a figure or year the articles never give
    "unknown_describing",  # unknown words that describe ("unusual", "legally"): seldom the subject
    "type_asked",  # it asks for a kind of thing (a time, a figure, a speed ...)
    "type_missing",  # ... and the best candidate holds none of it ("how fast": no speed given)
    "focus_unknown",  # what is asked for is a word the briefing never uses ("how many *bodyguards*")
    "focus_missing",  # the best candidate never speaks of what is asked for ("what *year*")
    "action_nowhere",  # no candidate speaks of the action asked about ("did Kim *watch* a launch")
    "check",  # it is a yes/no question
    "unquoted",  # it asks what someone said whom the briefing never quotes ("what did Kozhemyako say")
    "howto",  # it asks for advice ("how do I …"), which news never gives
    "future",  # it asks about the future ("will Putin visit …"), which reports rarely hold
    "figure_swapped",  # a figure the articles never give, where the best candidate gives one in its unit
)

# Which way each refusal feature may push the decision: +1 towards answering, -1 towards refusing,
# 0 either way. The fit chooses how much, never the direction: a feature that says the best answer
# lacks what was asked can only argue for refusing, however the questions it was fitted on fell.
REFUSAL_SIGNS: dict[str, int] = {
    "coverage": 1,
    "sentence": 1,
    "ask_ratio": 1,
    "unasked_ratio": -1,
    "score": 1,
    "entity_missing": -1,
    "unknown_rare": -1,
    "unknown_number": -1,
    "type_missing": -1,
    "unquoted": -1,
    "focus_unknown": -1,
    "focus_missing": -1,
    "action_nowhere": -1,
    "howto": -1,
    "future": -1,
}

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    """Something that may answer: a snippet, or an entity's or a topic's card."""

    id: str
    kind: str  # "snippet", "entity", "topic" or "combined"
    title: str
    text: str
    position: int = -1  # the snippet's number in the index
    snippet: Snippet | None = None
    entity: Entity | None = None
    topic: Topic | None = None
    citations: tuple[Citation, ...] = ()
    # A combined answer to a question of several parts: the answer to each, in order.
    parts: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What a candidate holds, as the features need it."""

    stems: frozenset[str]
    title: frozenset[str]
    text: frozenset[str]
    terms: frozenset[str]
    quotes: frozenset[str]
    sentences: tuple[frozenset[str], ...]
    # The stems of each question readers would ask that it answers (with "#<entity id>" for names).
    asked: tuple[frozenset[str], ...]
    # Where they are numbered among the briefing's reader questions (Index.ask_span).
    asked_span: tuple[int, int]
    pairs: frozenset[tuple[str, str]]
    entities: frozenset[str]
    titled: frozenset[str]
    agents: frozenset[str]
    quoted: frozenset[str]
    topic: frozenset[str]
    # Folded title and sentences of the text, their words, and how many entities of each kind it is tagged with.
    texts: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    kinds: dict[str, int]
    # Answer type → the sentences holding it, as bits (computed when first asked for).
    held: dict[str, int]
    reason: bool
    # It speaks of how sure the reports are (lexicon: answer_cues.certainty).
    sureness: bool
    place: bool
    person: bool
    certainty: Certainty | None
    # Stem → where the candidate holds it, as bits (ANYWHERE, TITLE, … and SENTENCE << j).
    masks: dict[str, int]


ANYWHERE, TITLE, TEXT, TERMS, QUOTES, TOPIC, ASKS = 1, 2, 4, 8, 16, 32, 64
OWN_WORDS = TITLE | TEXT | TERMS | QUOTES
# Bit of the first sentence (the title); sentence j is bit SENTENCE + j, and the reader questions
# (asks) follow the sentences.
SENTENCE = 7


def _masks(
    stems: frozenset[str],
    fields: tuple[tuple[int, frozenset[str]], ...],
    sentences: tuple[frozenset[str], ...],
    asked: tuple[frozenset[str], ...] = (),
) -> dict[str, int]:
    masks = dict.fromkeys(stems, ANYWHERE)
    for bit, members in fields:
        for x in members:
            masks[x] = masks.get(x, ANYWHERE) | bit
    for j, members in enumerate((*sentences, *asked)):
        bit = 1 << (SENTENCE + j)
        for x in members:
            masks[x] = masks.get(x, ANYWHERE) | bit
    return masks


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
        texts = tuple(fold(x) for x in (s.title, *_SENTENCE.split(s.text)))
        tokens = tuple(tuple(split(x)) for x in texts)
        # Each sentence also holds "#<entity id>" for the entities it names, in any spelling.
        sentence_stems = [
            self._stems(list(x)) + [f"#{e}" for e, _, _ in index.find_entities(t, list(x))]
            for t, x in zip(texts, tokens, strict=True)
        ]
        body = list(itertools.chain.from_iterable(sentence_stems))
        terms = frozenset(self._stems(words(" ".join(s.terms))))
        quotes = frozenset(self._stems(words(" ".join(c.quote for c in s.sources))))
        tagged = frozenset((*s.entities, *([s.speaker] if s.speaker else ())))
        title_tokens = words(s.title)
        titled = frozenset(e for e in tagged if _spelled(index, e, title_tokens))
        lead = index.find_entities(s.title, title_tokens)
        agents = frozenset([lead[0][0]] if lead else []) | (frozenset([s.speaker]) if s.speaker else frozenset())
        party = index.topics[s.topic].party if s.topic in index.topics else None
        if party is not None:  # whose side the topic reports (briefing.yaml): "What Russia wants"
            agents |= {party}
        text_tokens = list(itertools.chain.from_iterable(tokens[1:]))
        kinds = {index.entities[e].kind.value for e in tagged & self._specific if e in index.entities}
        stems = frozenset(body) | terms | quotes | self._entity_stems(tagged) | self._listed(tagged)
        title = frozenset(sentence_stems[0])
        text = frozenset(itertools.chain.from_iterable(sentence_stems[1:]))
        sentences = tuple(frozenset(x) for x in sentence_stems)
        topic = self._topic_stems.get(s.topic, frozenset())
        asked = self._asked(s.id)
        asks = frozenset(itertools.chain.from_iterable(asked))
        stems |= asks
        fields = ((TITLE, title), (TEXT, text), (TERMS, terms), (QUOTES, quotes), (TOPIC, topic), (ASKS, asks))
        return Profile(
            stems=stems,
            title=title,
            text=text,
            terms=terms,
            quotes=quotes,
            sentences=sentences,
            asked=asked,
            asked_span=index.ask_span.get(s.id, (0, 0)),
            pairs=frozenset(itertools.chain.from_iterable(itertools.pairwise(x) for x in sentence_stems)),
            entities=tagged,
            titled=titled,
            agents=agents,
            quoted=index.quoted.get(doc, frozenset()),
            topic=topic,
            texts=texts,
            tokens=tokens,
            kinds=self._kinds(tagged),
            held={},
            reason=s.certainty in (Certainty.analysis, Certainty.speculation)
            or bool(self.lexicon.answer_cues.why.intersection(text_tokens)),
            sureness=bool(self.lexicon.answer_cues.certainty.intersection(text_tokens)),
            place="place" in kinds,
            person="person" in kinds,
            certainty=s.certainty,
            masks=_masks(stems, fields, sentences, asked),
        )

    def _asked(self, item_id: str) -> tuple[frozenset[str], ...]:
        """The reader questions an item answers, each as stems (with "#<entity id>" for the names it
        spells). Their text, for a word-for-word comparison, is the index's (Index.ask_texts)."""
        stems = []
        for question in self.index.asks.get(item_id, ()):
            tokens = words(question)
            named = [f"#{e}" for e, _, _ in self.index.find_entities(question, tokens)]
            stems.append(frozenset(self._stems(tokens) + named))
        return tuple(stems)

    def _entity_stems(self, entity_ids: frozenset[str]) -> frozenset[str]:
        return frozenset(self._stems([w for e in entity_ids for w in self.index.entity_words.get(e, [])]))

    def _listed(self, entity_ids: frozenset[str]) -> frozenset[str]:
        """ "@place" when it names two or more places: it speaks of "countries" (see lexicon: listed)."""
        return frozenset(f"@{kind}" for kind, n in self._kinds(entity_ids).items() if n >= 2)

    def _kinds(self, entity_ids: frozenset[str]) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for e in entity_ids:
            entity = self.index.entities.get(e)
            if entity is not None:
                kinds[entity.kind.value] = kinds.get(entity.kind.value, 0) + 1
        return kinds

    def _card(self, candidate: Candidate) -> Profile:
        index = self.index
        tokens = words(f"{candidate.title} {candidate.text}")
        stems = self._stems(tokens)
        mentioned = frozenset(m[0] for m in index.find_entities(candidate.text, words(candidate.text)))
        own = frozenset([candidate.entity.id]) if candidate.entity else frozenset()
        kind = candidate.entity.kind.value if candidate.entity else ""
        every = frozenset(stems) | self._entity_stems(own | mentioned) | self._listed(own | mentioned)
        title = frozenset(self._stems(words(candidate.title)))
        topic = self._topic_stems.get(candidate.topic.id, frozenset()) if candidate.topic else frozenset()
        sentences = (frozenset(stems),)
        texts = (fold(f"{candidate.title}. {candidate.text}"),)
        asked = self._asked(candidate.id)
        asks = frozenset(itertools.chain.from_iterable(asked))
        every |= asks
        return Profile(
            stems=every,
            title=title,
            text=frozenset(stems),
            terms=frozenset(),
            quotes=frozenset(),
            sentences=sentences,
            asked=asked,
            asked_span=index.ask_span.get(candidate.id, (0, 0)),
            pairs=frozenset(itertools.pairwise(stems)),
            entities=own | mentioned,
            titled=own,
            agents=own,
            quoted=frozenset(),
            topic=topic,
            texts=texts,
            tokens=(tuple(tokens),),
            kinds=self._kinds(own | mentioned),
            held={},
            reason=bool(self.lexicon.answer_cues.why.intersection(tokens)),
            sureness=False,
            place=kind == "place",
            person=kind == "person",
            certainty=None,
            masks=_masks(
                every, ((TITLE, title), (TEXT, frozenset(stems)), (TOPIC, topic), (ASKS, asks)), sentences, asked
            ),
        )


def _spelled(index: Index, entity_id: str, tokens: list[str]) -> bool:
    joined = f" {' '.join(tokens)} "
    return any(f" {' '.join(w)} " in joined for w in index.spellings_of.get(entity_id, ()))


def _speaks(index: Index, word: Word, profile: Profile, terms: frozenset[str]) -> bool:
    if word.entity_id is not None and not profile.entities.isdisjoint(index.also[word.entity_id]):
        return True
    return not terms.isdisjoint(word.stems)


def held_types(index: Index, query: Query, profile: Profile) -> int:
    """The sentences of the candidate (as bits) holding a type the question asks for; 0 if none does.
    A sentence that asks it too holds it: "did not say how far the missile flew" answers "how far"."""
    bits = 0
    for name in query.asked:
        kind = index.lexicon.answer_types[name]
        bits |= _sentences(profile, f"asks:{name}", index.lexicon.type_cues[name])
        if kind.counts and query.counted:
            bits |= _counted(index, query, profile, kind.held, kind.counts)
        else:
            bits |= _sentences(profile, name, kind.held)
        if kind.named and query.name_asked:
            # A sentence naming what the question asks the name of (Understanding._named).
            asked = query.name_asked
            bits |= sum(1 << j for j, members in enumerate(profile.sentences) if not members.isdisjoint(asked))
    return bits


def _sentences(profile: Profile, key: str, pattern: re.Pattern[str]) -> int:
    """The candidate's sentences (as bits) where the pattern is found, computed once per candidate."""
    found = profile.held.get(key)
    if found is None:
        found = profile.held[key] = sum(1 << j for j, text in enumerate(profile.texts) if pattern.search(text))
    return found


def _counted(index: Index, query: Query, profile: Profile, figure: re.Pattern[str], window: int) -> int:
    """ "How many X": sentences where a figure comes shortly before X, or all of them when the
    candidate names two or more entities of the kind X names ("countries")."""
    if query.counted_kind is not None:
        others = profile.kinds.get(query.counted_kind, 0)
        kind = query.counted_kind
        others -= sum(1 for e in query.named if e in profile.entities and index.entities[e].kind.value == kind)
        if others >= 2:
            return (1 << len(profile.texts)) - 1
    bits, word_stem, counted = 0, index.word_stem, query.counted
    for j, tokens in enumerate(profile.tokens):
        for i, token in enumerate(tokens):
            if figure.fullmatch(token) and any(
                (word_stem.get(t) or stem(t)) in counted for t in tokens[i + 1 : i + 1 + window]
            ):
                bits |= 1 << j
                break
    return bits


def rank_features(
    index: Index, query: Query, candidates: list[Candidate], profiles: list[Profile], bm25: list[float]
) -> FloatArray:
    """One row per candidate, one column per name in RANK_FEATURES."""
    total = query.total_weight or 1.0
    named = query.named
    named_idf = {m.entity_id: index.entity_idf(m.entity_id) for m in query.entities}
    named_total = sum(named_idf.values()) or 1.0
    pairs = frozenset(itertools.pairwise(query.stems))
    intents = query.intents
    best_bm25 = max(bm25, default=0.0) or 1.0
    rows: list[tuple[float, ...]] = []
    nobody: frozenset[str] = frozenset()
    content = [(w.weight / total, w.stems, index.also[w.entity_id] if w.entity_id else nobody) for w in query.content]
    why, where, who = (i in intents for i in ("why", "where", "who"))
    reaction, quote, sure = "reaction" in intents, "quote" in intents, "certainty" in intents
    phrases = index.settings.phrases
    roles = query.roles
    ask_ratios = _ask_ratios(index, " ".join(query.stems), profiles)
    for r, (candidate, profile) in enumerate(zip(candidates, profiles, strict=True)):
        masks, entities = profile.masks, profile.entities
        support = title = text = terms = quotes = topic = asks = 0.0
        sentences = len(profile.sentences)
        in_sentences = (1 << sentences) - 1
        by_sentence = [0.0] * sentences
        held_in_asks: list[tuple[int, float]] = []
        hits = [0.0] * len(content)
        for c, (weight, stems, named_as) in enumerate(content):
            m = 0
            for x in stems:
                m |= masks.get(x, 0)
            if not entities.isdisjoint(named_as):
                m |= ANYWHERE
            if not m:
                continue
            hits[c] = weight
            support += weight
            if m & TITLE:
                title += weight
            if m & TEXT:
                text += weight
            if m & TERMS:
                terms += weight
            if m & QUOTES:
                quotes += weight
            if m & TOPIC:
                topic += weight
            if m & ASKS:
                asks += weight
            m >>= SENTENCE
            if m >> sentences:
                held_in_asks.append((m >> sentences, weight))
            m &= in_sentences
            while m:  # each set bit: a sentence holding the word
                low = m & -m
                by_sentence[low.bit_length() - 1] += weight
                m ^= low
        sentence = max(by_sentence, default=0.0)
        ask = _most_held(held_in_asks)
        ask_ratio = ask_ratios[r]
        parts = support
        if query.parts:
            parts = min(sum(hits[i] for i in part) / (sum(content[i][0] for i in part) or 1.0) for part in query.parts)
        type_fit = type_sentence = 0.0
        if query.asked:
            typed = held_types(index, query, profile)
            if typed:
                type_fit = 1.0
                type_sentence = max(share for j, share in enumerate(by_sentence) if typed >> j & 1)
        entity = 0.0
        if named_idf:
            entity = sum(idf for e, idf in named_idf.items() if not entities.isdisjoint(index.also[e])) / named_total
        role = 0.0
        for e, score in roles.items():
            if e in entities and score > role:
                role = score
        speaker = bool(named & profile.quoted)
        card = candidate.kind != "snippet"
        certainty = profile.certainty
        rows.append(
            (
                bm25[r],
                bm25[r] / best_bm25,
                support,
                sentence,
                parts,
                title,
                text,
                terms,
                asks,
                ask,
                ask_ratio,
                quotes,
                entity,
                1.0 if named and not named.isdisjoint(profile.titled) else 0.0,
                role,
                1.0 if speaker else 0.0,
                1.0 if speaker and quote else 0.0,
                float(min(len(pairs & profile.pairs), phrases)) if pairs else 0.0,
                float(query.focus is not None and _speaks(index, query.focus, profile, profile.stems)),
                float(query.action is not None and _speaks(index, query.action, profile, profile.stems)),
                topic,
                1.0 if query.subject and not query.subject.isdisjoint(profile.agents) else 0.0,
                1.0 if query.object and not query.object.isdisjoint(profile.agents) else 0.0,
                1.0 if why and profile.reason else 0.0,
                type_fit,
                type_sentence,
                1.0 if where and profile.place else 0.0,
                1.0 if who and profile.person else 0.0,
                1.0 if reaction and (certainty is Certainty.claim or profile.quoted) else 0.0,
                1.0 if sure and profile.sureness else 0.0,
                1.0 if certainty is Certainty.confirmed else 0.0,
                1.0 if certainty is Certainty.speculation else 0.0,
                1.0 if certainty is Certainty.analysis else 0.0,
                1.0 if certainty is Certainty.claim else 0.0,
                1.0 if card else 0.0,
                1.0 if card and who else 0.0,
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(RANK_FEATURES))


def part_shares(index: Index, query: Query, profile: Profile) -> list[float]:
    """How much of each part of a question of several parts the candidate holds (by weight)."""
    shares = []
    for part in query.parts:
        total = held = 0.0
        for i in part:
            word = query.content[i]
            total += word.weight
            named_as = index.also[word.entity_id] if word.entity_id else frozenset()
            # In its own words: what readers ask of it (ASKS) or its topic's name does not answer a part.
            if any(profile.masks.get(x, 0) & OWN_WORDS for x in word.stems) or not profile.entities.isdisjoint(
                named_as
            ):
                held += word.weight
        shares.append(held / total if total else 1.0)
    return shares


def _most_held(held: list[tuple[int, float]]) -> float:
    """The most weight of the question's words that one reader question holds: each word's reader
    questions as bits, with its weight, in the question's order. The reader questions are split
    into groups holding the same words so far, word by word (the same sums, added in the same
    order, as counting word by word for each reader question, but over the groups, few, not over
    the reader questions, hundreds)."""
    if not held:
        return 0.0
    groups: list[tuple[int, float]] = [(functools.reduce(operator.or_, (bits for bits, _ in held)), 0.0)]
    for bits, weight in held:
        split: list[tuple[int, float]] = []
        for members, total in groups:
            inside = members & bits
            if inside:
                split.append((inside, total + weight))
                if inside != members:
                    split.append((members ^ inside, total))
            else:
                split.append((members, total))
        groups = split
    return max(total for _, total in groups)


def _dice(
    question: str,
    holding: dict[str, npt.NDArray[np.int64]],
    lengths: FloatArray,
    among: npt.NDArray[np.int64] | None = None,
) -> FloatArray:
    """Dice's coefficient of the question's stems with each of a numbered set of questions (or with
    those numbered `among`)."""
    words_of = set(question.split())
    held = [h for x in words_of if (h := holding.get(x)) is not None]
    shared = np.bincount(np.concatenate(held), minlength=len(lengths)) if held else np.zeros(len(lengths))
    if among is not None:
        shared, lengths = shared[among], lengths[among]
    return 2.0 * shared / np.maximum(len(words_of) + lengths, 1.0)


# How many questions no article answers are compared first, among those sharing the most words:
# the nearest of them bounds the rest (a mechanism's size, not a fitted knob: the figure is the
# same whatever it is).
FIRST_COMPARED = 8


def _unasked_ratio(index: Index, question: str) -> float:
    """How alike the question is to the nearest question no article answers (unasked.yaml), as
    `ask_ratio` measures it for reader questions."""
    if not question or not index.unasked_texts:
        return 0.0
    dice = _dice(question, index.unasked_holding, index.unasked_lengths)
    texts = index.unasked_texts
    # The nearest by shared words first; then only the questions that could still be nearer:
    # rapidfuzz's ratio of texts of a and b characters is at most 2·min(a, b)/(a + b).
    first = np.flatnonzero(dice >= dice.max())[:FIRST_COMPARED]
    best = float(_likeness(question, [texts[i] for i in first.tolist()], dice[first]).max())
    chars, length = index.unasked_chars, float(len(question))
    bound = (dice + 2.0 * np.minimum(chars, length) / (chars + length)) / 2.0 + 1e-6  # + float32 rounding
    bound[first] = -1.0
    rest = np.flatnonzero(bound > best)
    if len(rest):
        best = max(best, float(_likeness(question, [texts[i] for i in rest.tolist()], dice[rest]).max()))
    return best


def _ask_ratios(index: Index, question: str, profiles: list[Profile]) -> list[float]:
    """How alike the question is to each candidate's nearest reader question (0 to 1): the same
    words (Dice's coefficient over the sets of their stems), and in the same order ("A wants from
    B" is not "B from A": rapidfuzz's ratio), as their mean; all compared at once."""
    spans = [p.asked_span for p in profiles]
    sizes = np.array([b - a for a, b in spans], dtype=np.int64)
    best = np.zeros(len(profiles))
    if not question or not sizes.any():
        return best.tolist()
    filled = np.flatnonzero(sizes)
    firsts = (np.cumsum(sizes) - sizes)[filled]
    starts = np.array([a for a, _ in spans], dtype=np.int64)[filled]
    # The reader questions of every candidate, numbered, in the candidates' order.
    among = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - firsts, sizes[filled])
    dice = _dice(question, index.ask_holding, index.ask_lengths, among)
    texts = index.ask_texts
    alike = _likeness(question, list(itertools.chain.from_iterable(texts[a:b] for a, b in spans)), dice)
    best[filled] = np.maximum.reduceat(alike, firsts)
    return best.tolist()


def _likeness(question: str, texts: list[str], dice: FloatArray) -> FloatArray:
    """How alike the question is to each text: the mean of their Dice coefficient (`dice`, one per
    text) and rapidfuzz's ratio, which keeps the order of the words."""
    order = process.cdist([question], texts, scorer=fuzz.ratio, dtype=np.float32)[0] / 100.0
    alike: FloatArray = (dice + order) / 2.0
    return alike


def unquoted(index: Index, query: Query) -> list[str]:
    """The people whose words the question asks for that the briefing names but never quotes."""
    if "said" not in query.intents:
        return []
    people = (index.entities[m.entity_id] for m in query.entities)
    return [e.name for e in people if e.kind.value == "person" and index.also[e.id].isdisjoint(index.speakers)]


def _figure_units(tokens: Sequence[str], figures: Callable[[str], bool], measure_of: dict[str, str]) -> set[str]:
    """The words right after a figure ("18 month", "four years", "900 km"): what they measure
    ("time", "distance") where the lexicon knows it, else their stems."""
    return {measure_of.get(b) or stem(b) for a, b in itertools.pairwise(tokens) if figures(a) and not b.isdigit()}


def figure_swapped(index: Index, query: Query, profile: Profile) -> bool:
    """Whether a figure of the question that the articles never give stands before a unit that the
    candidate gives a figure in, or one measuring the same thing: "was the war 12 months old" or
    "2 years old" where it says "the 18-month war". A claim with a wrong figure, which the candidate
    corrects."""
    numbers = {w.text for w in query.unknown if w.text.isdigit()}
    if not numbers:
        return False
    measure_of = index.lexicon.measure_of
    units = _figure_units(query.tokens, numbers.__contains__, measure_of)
    if not units:
        return False
    number_words = index.lexicon.number_words

    def given(word: str) -> bool:
        return word.isdigit() or word in number_words

    return any(not units.isdisjoint(_figure_units(sentence, given, measure_of)) for sentence in profile.tokens)


def refusal_features(
    index: Index,
    query: Query,
    ranked: FloatArray,
    scores: FloatArray,
    order: list[int],
    best: Profile | None,
) -> FloatArray:
    """The question and its best candidate, as a vector in REFUSAL_FEATURES order. `ranked` holds the
    candidates' rank features, `scores` their ranking scores, `order` their positions best first."""
    bounds = index.settings.unknown_words
    kinds = [unknown_kind(w, bounds.rare, bounds.common) for w in query.unknown]
    column = {name: i for i, name in enumerate(RANK_FEATURES)}
    top = order[0] if order else None

    def of(name: str) -> float:
        return float(ranked[top, column[name]]) if top is not None else 0.0

    shortest = index.settings.describing_length
    describing = sum(1 for w in query.unknown if index.lexicon.describing(w.text, shortest))
    focus_missing = entity_missing = 0.0
    if best is not None:
        if query.focus is not None and not _speaks(index, query.focus, best, best.stems):
            focus_missing = 1.0
        named = {m.entity_id: index.entity_idf(m.entity_id) for m in query.entities}
        if named:
            absent = sum(idf for e, idf in named.items() if best.entities.isdisjoint(index.also[e]))
            entity_missing = absent / (sum(named.values()) or 1.0)
    return np.array(
        (
            query.coverage,
            of("sentence"),
            of("ask_ratio"),
            _unasked_ratio(index, " ".join((*query.stems, *map(stem, query.type_marks)))),
            float(scores[top]) if top is not None else 0.0,
            float(sum(1 for w in query.content if not w.framing)),
            float(bool(query.roles)),
            entity_missing,
            float(kinds.count("rare")),
            float(kinds.count("number")),
            describing,
            float(bool(query.asked)),
            float(bool(query.asked) and of("type_fit") == 0.0),
            float(query.focus is not None and not query.focus.known),
            focus_missing,
            float(query.action is not None and not ranked[:, column["action"]].any()),
            float("check" in query.intents),
            1.0 if unquoted(index, query) else 0.0,
            float("howto" in query.intents),
            float("future" in query.intents),
            1.0 if best is not None and figure_swapped(index, query, best) else 0.0,
        ),
        dtype=np.float64,
    )
