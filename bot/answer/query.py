"""Understanding a question: typos corrected, the entities it names (or describes by their role),
its intents, who wants what from whom, and which of its words the briefing knows."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.answer.english import zipf
from bot.answer.index import Index, initial
from bot.answer.lexicon import TYPE_MARK
from bot.answer.tokens import fold, split, stem, words


@dataclass(frozen=True)
class Correction:
    typed: str
    corrected: str


@dataclass(frozen=True)
class EntityMention:
    entity_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Word:
    """A content word of the question and how the briefing knows it."""

    text: str
    how: str  # "word", "synonym", "typo", "entity", "framing" or "unknown"
    weight: float  # its rarity (idf): how much it says about what is asked
    # The index terms whose presence in a snippet counts as the snippet speaking of this word.
    stems: tuple[str, ...] = ()
    entity_id: str | None = None
    framing: bool = False
    # How common the word is in English (Zipf scale), for words the briefing does not know.
    zipf: float = 0.0

    @property
    def known(self) -> bool:
        return self.how not in ("unknown", "framing-unknown")


@dataclass
class Query:
    text: str
    # The question's words, typos corrected.
    tokens: list[str]
    corrections: list[Correction] = field(default_factory=list)
    intents: frozenset[str] = frozenset()
    entities: list[EntityMention] = field(default_factory=list)
    # Entities the question describes by their role ("the Kremlin spokesperson"), with how much of
    # the question their role covers.
    roles: dict[str, float] = field(default_factory=dict)
    content: list[Word] = field(default_factory=list)
    # (stem, query weight) pairs to score with.
    terms: list[tuple[str, float]] = field(default_factory=list)
    # "What does A want from B": the entities on each side of a verb with a direction.
    subject: frozenset[str] = frozenset()
    object: frozenset[str] = frozenset()
    # The question is only a name ("peskov", "who is Choe Sun Hui", "what is Khasan"): its entity.
    name_only: str | None = None
    # The question is only a topic's name or keyword ("sanctions"): its topic.
    topic_only: str | None = None
    # The content word naming what is asked for ("what *year*"), if the question names it.
    focus: Word | None = None
    # The verb of a question about an action ("did Kim *watch* a launch", "who *cooked*").
    action: Word | None = None
    # A question asking several things: its content words by part (positions in `content`).
    parts: tuple[tuple[int, ...], ...] = ()
    # Each part as the reader wrote it, to be asked on its own ("where did the train first stop").
    part_texts: tuple[str, ...] = ()
    # Each part after the first opens a question of its own ("…, and what did Xi say"): separate
    # questions, each answered or not on its own, rather than one question naming several things.
    separate: bool = False
    # ... and the first part does too: each part is a question, none a condition of the next
    # ("what does Kim want & what does Putin want", not "apart from weapons, what might …").
    questions: bool = False
    # Each part: it refers to a part before it ("… and who signed *it*"; lexicon: refer_back).
    refers_back: tuple[bool, ...] = ()
    # Its question words share one question ("when and where was the summit"): each part is that
    # question with one of them, and the answer joins the parts' answers.
    distributed: bool = False
    # A message whose sentences ask and comment ("Where did they meet? I gather the venue was
    # uncertain."): the sentences that ask, alone.
    asking: str | None = None
    # The answer types it asks for ("which decade", "how fast"): an answer holds one of them.
    asked: tuple[str, ...] = ()
    # The answer types whose cue it holds anywhere, as Lexicon.type_marks words.
    type_marks: tuple[str, ...] = ()
    # Its words of substance as stems, in order: compared word for word with reader questions.
    stems: tuple[str, ...] = ()
    # For "what is the name of X": "#<entity id>" of the places, bodies and events X may be (Understanding._named).
    name_asked: frozenset[str] = frozenset()
    # For "how many X": X's index terms (with its synonyms), and the kind of entity X names, if any.
    counted: frozenset[str] = frozenset()
    counted_kind: str | None = None

    @cached_property
    def total_weight(self) -> float:
        return sum(w.weight for w in self.content)

    @property
    def coverage(self) -> float:
        """The share of the question's information (idf mass) that the briefing knows."""
        total = self.total_weight
        return sum(w.weight for w in self.content if w.known) / total if total else 0.0

    @property
    def unknown(self) -> list[Word]:
        return [w for w in self.content if not w.known]

    @property
    def named(self) -> frozenset[str]:
        return frozenset(m.entity_id for m in self.entities)

    @property
    def corrected_text(self) -> str | None:
        """The question as searched, when a typo was corrected ("showing results for …")."""
        return " ".join(self.tokens) if self.corrections else None


class Understanding:
    """Turns question text into a `Query` against one index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.lexicon = index.lexicon
        self.settings = index.settings
        # Typos of filler words ("wher", "abuot", "sya"): a letter dropped, doubled or two swapped.
        self._filler_typos: dict[str, str] = {}
        for word in sorted(self.lexicon.filler):
            shortest = self.settings.typos.shortest
            variants = [*_swaps(word), *_insertions(word)] + (_deletions(word) if len(word) >= shortest else [])
            for variant in variants:
                if len(variant) >= self.settings.typos.shortest_in_context and variant not in self.lexicon.filler:
                    self._filler_typos.setdefault(variant, word)
        self._topic_phrases: dict[tuple[str, ...], str] = {}
        for topic in index.briefing.topics:
            for name in (topic.title, topic.id.replace("-", " ")):
                key = tuple(stem(w) for w in words(name) if w not in self.lexicon.filler)
                if key:
                    self._topic_phrases.setdefault(key, topic.id)

    def __call__(self, text: str) -> Query:
        lexicon = self.lexicon
        tokens = self._units(words(text))[: self.settings.max_words]
        for greeting in self._greetings:
            if tokens[: len(greeting)] == greeting:
                tokens = tokens[len(greeting) :]
                break
        query = Query(text=text, tokens=tokens)
        self._correct(query)
        query.asking = self._asking(text)
        folded = fold(text)
        for c in query.corrections:
            folded = re.sub(rf"\b{re.escape(c.typed)}\b", c.corrected, folded)
        query.intents = frozenset(name for name, p in lexicon.intent_patterns.items() if p.search(folded))
        type_words = self._asked(query, folded)
        query.entities = self._entities(text, query.tokens)
        covered = {i for m in query.entities for i in range(m.start, m.end)}
        terms = self.settings.query_terms
        for mention in query.entities:
            name = [w for w in query.tokens[mention.start : mention.end] if w not in lexicon.filler]
            stems = tuple(self.index.word_stem.get(w) or stem(w) for w in name)
            query.terms.extend((s, 1.0) for s in stems)
            # "#<id>": a candidate's sentence naming the entity in any spelling (see features.Profiles).
            stems += tuple(f"#{e}" for e in sorted(self.index.also[mention.entity_id]))
            query.content.append(
                Word(
                    " ".join(query.tokens[mention.start : mention.end]),
                    "entity",
                    self.index.entity_idf(mention.entity_id),
                    stems=stems,
                    entity_id=mention.entity_id,
                )
            )
        rest = [w for i, w in enumerate(query.tokens) if i not in covered]
        for word in rest:
            if word in lexicon.question_words:
                self._add_synonyms(query, word, terms.question_word)
        # Phrases of the synonyms and paraphrases, longest first, filler words and all ("went with",
        # "get out of"); a word belongs to one phrase at most.
        phrased: set[int] = set()
        for n in range(min(self.index.longest_synonym, len(rest)), 1, -1):
            for i in range(len(rest) - n + 1):
                span = set(range(i, i + n))
                phrase = " ".join(rest[i : i + n])
                if phrased & span or phrase not in self.index.synonyms:
                    continue
                if n == 2 and not {rest[i], rest[i + 1]} & lexicon.filler:
                    continue  # two words of substance: matched below, across filler words too
                stems = self._add_synonyms(query, phrase, terms.synonym)
                if stems:
                    query.content.append(Word(phrase, "synonym", self._phrase_weight(phrase), stems))
                    phrased |= span
        skip = lexicon.filler | type_words | self.index.years
        content = [w for i, w in enumerate(rest) if w not in skip and i not in phrased]
        used: set[int] = set()
        for i in range(len(content) - 1):  # two-word synonyms first ("north korea", "food aid")
            phrase = f"{content[i]} {content[i + 1]}"
            if phrase in self.index.synonyms and i not in used:
                stems = self._add_synonyms(query, phrase, terms.synonym)
                if stems:
                    query.content.append(Word(phrase, "synonym", self._phrase_weight(phrase), stems))
                    used.update((i, i + 1))
        corrected = {c.corrected for c in query.corrections}
        for i, word in enumerate(content):
            if i not in used:
                query.content.append(self._word(query, word, word in corrected))
        self._roles(query)
        self._direction(query)
        self._focus(query)
        self._parts(query, folded)
        self._named(query)
        self._only(query, content)
        word_stem = self.index.word_stem
        query.stems = tuple(word_stem.get(w) or stem(w) for w in query.tokens if w not in lexicon.filler)
        return query

    # -- what is asked for ---------------------------------------------------------------------------

    def _focus(self, query: Query) -> None:
        """The noun a question asks for ("which *region*") or the verb of the action it asks about
        ("did Kim *watch* …"), read from where the words stand."""
        focus, filler, tokens = self.lexicon.focus, self.lexicon.filler, query.tokens
        start = 0
        while start < len(tokens) and tokens[start] in focus.openers:
            start += 1
        rest = tokens[start:]
        by_text = {w.text: w for w in query.content if not w.framing}
        noun_at = None
        if rest[:1] and rest[0] in focus.determiners:
            noun_at = start + 1
        elif " ".join(rest[:2]) in focus.quantifiers:
            noun_at = start + 2
        if noun_at is not None:
            run: list[str] = []
            i = noun_at
            while i < len(tokens):
                if tokens[i] in focus.looked_past and i + 1 < len(tokens) and tokens[i + 1] == "of":
                    run, i = [], i + 2
                    continue
                if tokens[i] in filler:
                    break
                run.append(tokens[i])
                i += 1
            query.focus = by_text.get(self._head(run)) if run else None
        if rest[:1] and rest[0] in focus.askers and len(rest) > 1 and rest[1] not in filler:
            query.action = by_text.get(rest[1])
            return
        at = start + (1 if rest[:1] and rest[0] in focus.wh_words else 0)
        if at >= len(tokens) or tokens[at] not in focus.auxiliaries:
            return
        # The subject: names (joined by "and") or a pronoun; then the first word of substance.
        i = at + 1
        names = {m.start: m.end for m in query.entities}
        subject = False
        linked = tokens[at] in focus.linking
        while i < len(tokens):
            if i in names:
                i, subject = names[i], True
            elif tokens[i] in focus.subjects or (subject and tokens[i] == "and"):
                i, subject = i + 1, subject or tokens[i] in focus.subjects
            elif tokens[i] in filler and tokens[i] not in focus.auxiliaries:
                linked = linked or tokens[i] in focus.linking
                i += 1  # "the", "actually", "be"
            else:
                break
        if linked and tokens[i + 1 : i + 2] == ["to"] and i + 2 < len(tokens) and tokens[i + 2] not in filler:
            i += 2  # "be reluctant to *transfer*"
        if subject and i < len(tokens) and tokens[i] not in filler:
            query.action = by_text.get(tokens[i])

    def _named(self, query: Query) -> None:
        """For a question asking the name of something: the places, bodies and events it may be,
        described by a word of their name ("the forum", "the news agency", "the border station", but
        not "the air base" for the "space base"), or given by part of their name, ending its phrase
        ("the economic forum", "what's the economic forum called", not "the Komsomolsk factory"). A
        person named by part of their name ("Putin") is named already."""
        types = [self.lexicon.answer_types[name] for name in query.asked]
        if not any(kind.named for kind in types):
            return
        index, tokens = self.index, query.tokens
        ends = self.lexicon.filler.union(*(kind.words for kind in types if kind.named))
        wanted: set[str] = set()
        for word in query.content:
            if word.framing:
                continue
            before, after = _beside(tokens, word.text.split(), ends)
            if word.entity_id is None:
                found = {e for x in word.stems for e in index.names_with.get(x, ())}
                # A word describing it must be of its name or role too ("the *border* station": Khasan).
                described = index.word_stem.get(before) or stem(before) if before is not None else None
                wanted.update(e for e in found if described is None or described in index.role_stems[e])
            elif (after is None or after in index.name_words) and set(word.text.split()) < set(
                words(index.entities[word.entity_id].name)
            ):
                wanted.add(word.entity_id)
        query.name_asked = frozenset(f"#{e}" for e in wanted if index.entities[e].kind.value != "person")

    def _asking(self, text: str) -> str | None:
        """The sentences of a message that ask, when others only comment: those opening with a
        question word or auxiliary, else those ending in a question mark ("Doreen says it was
        something with dumplings? What did they actually eat?"); None when every sentence asks, or
        none does."""
        sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
        if len(sentences) < 2:
            return None
        openers = self._openers
        opening = [s for s in sentences if next(iter(split(fold(s))), "") in openers]
        marked = [s for s in sentences if s.endswith("?")]
        for asking in (opening, marked):
            if asking and len(asking) < len(sentences):
                return " ".join(asking)
        return None

    def _parts(self, query: Query, folded: str) -> None:
        """Split a question asking several things at its joiners ("and", ","), where each side holds
        a word of substance that is not a name; or where its question words are joined ("when and
        where was the summit": "when was the summit", "where was the summit")."""
        tokens, question_words = query.tokens, self.lexicon.question_words
        first, joiner, second = [*tokens, "", "", ""][:3]
        if len(tokens) > 3 and {first, second} <= question_words and first != second and joiner in self.lexicon.joiners:
            rest = " ".join(tokens[3:])
            everything = tuple(range(len(query.content)))
            query.parts, query.part_texts = (everything, everything), (f"{first} {rest}", f"{second} {rest}")
            query.distributed = True
            self._part_openings(query)
            return
        pieces = re.split(self._joiner_pattern, folded)
        if len(pieces) < 2:
            return
        named = {w for m in query.entities for w in query.tokens[m.start : m.end]}
        substance = [w.text for w in query.content if w.entity_id is None and not w.framing]
        groups: list[set[str]] = []
        texts: list[list[str]] = []
        openers = self._openers
        for piece in pieces:
            words_of = split(piece)
            held = set(words_of)
            asks = bool(words_of) and words_of[0] in openers
            own = any(set(t.split()) <= held and not set(t.split()) <= named for t in substance)
            if groups and not asks and not own:
                groups[-1] |= held  # nothing of substance on this side: it belongs to the part before
                texts[-1].append(piece)
            else:
                groups.append(held)
                texts.append([piece])
        if len(groups) > 1 and not any(set(t.split()) <= groups[0] for t in [*substance, *named]):
            groups[1] |= groups[0]
            texts[1][:0] = texts[0]
            del groups[0], texts[0]
        if len(groups) < 2:
            return
        parts: list[list[int]] = [[] for _ in groups]
        # A word in several parts ("what does Kim *want* & what does Putin *want*") is in each, once
        # per time it is typed: its n-th use belongs to the n-th part holding it.
        uses: dict[str, int] = {}
        for i, w in enumerate(query.content):
            first = w.text.split()[0]
            holding = [k for k, g in enumerate(groups) if first in g]
            if holding:
                parts[holding[min(uses.get(first, 0), len(holding) - 1)]].append(i)
                uses[first] = uses.get(first, 0) + 1
        query.parts = tuple(tuple(p) for p in parts if p)
        query.part_texts = tuple(" ".join(t).strip() for t, p in zip(texts, parts, strict=True) if p)
        self._part_openings(query)

    def _part_openings(self, query: Query) -> None:
        """How each part opens, and whether it refers back (Query.separate, questions, refers_back)."""
        openers = self._openers
        words_of = [split(t) for t in query.part_texts]
        opening = [bool(w) and w[0] in openers for w in words_of]
        query.separate, query.questions = all(opening[1:]), all(opening)
        query.refers_back = tuple(not self.lexicon.refer_back.isdisjoint(w) for w in words_of)

    @cached_property
    def _openers(self) -> frozenset[str]:
        """The words a question opens with: question words and auxiliaries ("did", "is")."""
        return self.lexicon.question_words | self.lexicon.focus.auxiliaries

    @cached_property
    def _joiner_pattern(self) -> re.Pattern[str]:
        ordered = sorted(self.lexicon.joiners, key=len, reverse=True)
        joined = "|".join(re.escape(j) for j in ordered if j[-1].isalnum())
        # Signs ("&", "+") stand between words, with no word boundary of their own.
        signs = "".join(re.escape(j) for j in ordered if len(j) == 1 and not j.isalnum())
        return re.compile(rf"\s*[,;{signs}]\s*(?:(?:{joined})\b)?|\b(?:{joined})\b")

    # -- answer types -------------------------------------------------------------------------------

    def _asked(self, query: Query, folded: str) -> frozenset[str]:
        """The answer types the question asks for; returns the words naming them ("decade", "fast")."""
        lexicon = self.lexicon
        spans: dict[str, tuple[int, int]] = {}
        query.type_marks = tuple(lexicon.type_marks(folded))
        for name in (mark.removeprefix(TYPE_MARK) for mark in query.type_marks):
            found = lexicon.clause_cue(name).search(folded)
            if found is not None:
                spans[name] = found.span()
        # A cue inside a longer one is part of it: "how many km" asks a distance, not any figure.
        asked = [
            n
            for n, (a, b) in spans.items()
            if not any(m != n and c <= a and b <= d and d - c > b - a for m, (c, d) in spans.items())
        ]
        named: set[str] = set()
        ends = lexicon.filler | lexicon.counted_ends
        for name in asked:
            kind, (start, end) = lexicon.answer_types[name], spans[name]
            named |= kind.words & set(split(folded[start:end]))
            if kind.counts and not query.counted:
                # The counted noun ends the run of words after the cue: "how many sanctioned *people* were".
                run = list(itertools.takewhile(lambda w: w not in ends, split(folded[end:])))[:3]
                if run:
                    head = self._head(run)
                    stems = {self.index.word_stem.get(head) or stem(head)}
                    for other in self.index.synonyms.get(head, ()):
                        stems.update(self.index.word_stem.get(w) or stem(w) for w in other)
                    query.counted = frozenset(stems)
                    query.counted_kind = lexicon.listed_kind.get(head)
        query.asked = tuple(asked)
        return frozenset(named)

    def _head(self, run: list[str]) -> str:
        """The word asked for in the run of words after "which" or "how many": the last, unless names
        close the run after a word that is not a name; they are then the subject of the clause that
        follows ("how many years Kim did not travel", "which country Putin visited")."""
        starts = {end: start for _, start, end in self.index.find_entities(" ".join(run), run)}
        k = len(run)
        while k in starts and starts[k] < k:
            k = starts[k]
        return run[k - 1] if 0 < k < len(run) else run[-1]

    def _units(self, tokens: list[str]) -> list[str]:
        """A figure typed with its unit ("500km") as the figure and the unit."""
        unit = self.lexicon.unit_pattern
        if not any(w[:1].isdigit() for w in tokens):
            return tokens
        read: list[str] = []
        for word in tokens:
            found = unit.match(word) if word[:1].isdigit() else None
            read.extend(found.groups() if found else (word,))
        return read

    # -- typos --------------------------------------------------------------------------------------

    def _correct(self, query: Query) -> None:
        index, short, figures = self.index, self.lexicon.short_forms, self.lexicon.figure_words
        counted = self.lexicon.counted_figures
        for i, word in enumerate(query.tokens):
            full = short.get(word)
            if full is not None and tuple(query.tokens[i : i + 2]) in index.spellings:
                full = None  # it starts a name the briefing knows: "n korea" is not "and korea"
            if full is not None and (index.knows(full) or full in index.name_words or full in self.lexicon.filler):
                query.corrections.append(Correction(word, full))
                query.tokens[i] = full
            elif word in figures and query.tokens[i + 1 : i + 2] and query.tokens[i + 1] in self._before_words:
                query.corrections.append(Correction(word, figures[word]))
                query.tokens[i] = figures[word]
            elif word in counted and self._counts_things(query.tokens[i + 1 : i + 2]):
                query.tokens[i] = counted[word]  # the same word as the articles write it: no correction to show
        self._complete_fragments(query)
        tokens: list[str] = []
        for i, word in enumerate(query.tokens):
            joined = None if word in self.lexicon.filler else self.index.joined_spellings.get(word)
            fixed = joined or self._correction(word)
            if (
                fixed in self.index.name_words
                and not self._completes_a_name(query.tokens, i, fixed)
                and self._name_like(query.tokens, i, fixed)
            ):
                fixed = None  # "kim yuna" is not Kim Yung-ho; "govener" is still a governor
            if fixed is not None and fixed != word:
                query.corrections.append(Correction(word, fixed))
                tokens.extend(fixed.split())
            else:
                tokens.append(word)
        # Words beside part of a name, read as the rest of it; twice, since one read word may make
        # its neighbour part of a name too ("kim jung eun"). Kept where they complete a name together.
        proposed: dict[int, str] = {}
        for _ in range(2):
            before = len(proposed)
            trial = [proposed.get(i, w) for i, w in enumerate(tokens)]
            for i in range(len(tokens)):
                fixed = self._name_in_context(trial, i) if i not in proposed else None
                if fixed is not None:
                    proposed[i] = fixed
            if len(proposed) == before:
                break
        trial = [proposed.get(i, w) for i, w in enumerate(tokens)]
        for i, fixed in sorted(proposed.items()):
            if self._completes_a_name(trial, i, fixed, shortest=2):
                query.corrections.append(Correction(tokens[i], fixed))
                tokens[i] = fixed
        query.tokens = tokens

    def _counts_things(self, after: list[str]) -> bool:
        """Whether a figure before these words counts things ("2 officials"), rather than measuring
        ("2 yrs", "500 km": a claim's figure, set against the articles' own) or adding up ("2+2")."""
        if not after or after[0].isdigit():
            return False
        return self.lexicon.short_forms.get(after[0], after[0]) not in self.lexicon.measure_of

    def _complete_fragments(self, query: Query) -> None:
        """ "cosmo-something", "Ussur-something": the start of a name, completed where exactly one name
        word of the briefing starts so (the word standing for the rest is dropped)."""
        tokens, rest = query.tokens, self.lexicon.name_rest
        for i in range(len(tokens) - 2, -1, -1):
            start = tokens[i]
            if tokens[i + 1] not in rest or len(start) < 3 or start in self.lexicon.filler:
                continue
            if start in self.index.name_words:
                del tokens[i + 1]  # "Shoigu-something": the name is whole already
                continue
            # Rare (a word before "something"), so a plain scan of the name words serves.
            names = [w for w in self.index.name_words if w.startswith(start) and w != start]
            if len(names) == 1:
                query.corrections.append(Correction(f"{start}-{tokens[i + 1]}", names[0]))
                tokens[i : i + 2] = [names[0]]

    @cached_property
    def _before_words(self) -> frozenset[str]:
        """The words before which a figure typed for a word is that word ("2 russia", "2 us")."""
        return self.index.name_words | self.lexicon.figure_words_before

    @cached_property
    def _greetings(self) -> list[list[str]]:
        """The greetings as word lists, longest first (a phrase is dropped whole or not at all)."""
        return sorted((g.split() for g in self.lexicon.greetings), key=len, reverse=True)

    def _name_like(self, tokens: list[str], i: int, fixed: str) -> bool:
        """Whether a correction into part of a name that makes no whole name reads as a name: the
        part is rare in English ("yung", "hui"), or a neighbour is part of a name ("kim yuna").
        An everyday word that is also part of a name ("governor", "university") is a word."""
        if zipf(fixed) < self.settings.unknown_words.rare:
            return True
        return any(tokens[j] in self.index.name_words for j in (i - 1, i + 1) if 0 <= j < len(tokens))

    def _completes_a_name(self, tokens: list[str], i: int, fixed: str, shortest: int = 1) -> bool:
        """Whether the corrected word makes a whole spelling of a name with its neighbours: "kim
        young ho" becomes Kim Yung-ho, but "kim yuna" is someone else. A word read from its
        neighbours must join them (`shortest` 2): "Choe Sun Hui's job" is not "Choe Sun Hui Choe"."""
        trial = [*tokens[:i], fixed, *tokens[i + 1 :]]
        longest = self.index.longest_spelling
        for start in range(max(0, i - longest + 1), i + 1):
            for end in range(max(i + 1, start + shortest), min(len(trial), start + longest) + 1):
                if tuple(trial[start:end]) in self.index.spellings:
                    return True
        return False

    def _name_in_context(self, tokens: list[str], i: int) -> str | None:
        """A word beside part of a name, close to another part of that name in spelling or in sound:
        "mathew miller", "choe son hui", "sergey shoigu", "matt miller", "kim jong eun", "kim chen
        un". Ordinary words are left alone."""
        index, word = self.index, tokens[i]
        if word in self.lexicon.filler or word.isdigit() or word in index.name_words or index.knows_spelling(word):
            return None
        shortest = self.settings.typos.shortest_in_context
        if len(word) < shortest:
            return None
        neighbours = set(self._beside(tokens, i)) & index.name_words
        best: tuple[int, str] | None = None
        sound: str | None = None  # the word's, once it is needed
        for entity_id in {e for n in neighbours for e in index.entities_named_by.get(n, ())}:
            for spelling in index.spellings_of[entity_id]:
                if not neighbours & set(spelling):
                    continue
                for part in spelling:
                    if part in neighbours:
                        continue
                    if sound is None and not part.startswith(word):
                        sound = self.lexicon.sound(word)
                    distance = self._name_distance(word, part, sound or "")
                    limit = max(1, self.settings.typos.for_name(part))  # beside the name: one edit at least
                    if distance <= limit and (best is None or distance < best[0]):
                        best = (distance, part)
        return best[1] if best else None

    def _correction(self, word: str) -> str | None:
        index = self.index
        possessive = word[-1:] == "s" and word not in self.lexicon.filler and word not in index.name_words
        if possessive and word[:-1] in index.name_words:
            return word[:-1]  # a possessive typed without its apostrophe: "kims train", "putins plan"
        if (
            word in self.lexicon.filler
            or word.isdigit()
            or len(word) < self.settings.typos.shortest_in_context
            or index.knows_spelling(word)
            or word in index.name_words
            or word in index.synonyms
        ):
            return None
        for end, full in self.lexicon.clipped_endings.items():
            whole = word[: -len(end)] + full
            known = word.endswith(end) and (whole in self.lexicon.filler or index.knows(whole))
            if known and not self._near_a_name(word):
                return whole  # "goin", "gettin"; but "puttin" is Putin, not "putting"
        if zipf(word) >= self.settings.typos.english_word_zipf:
            return None  # a real word the briefing does not use: unknown, not a typo
        if word in self._filler_typos:
            return self._filler_typos[word]
        typos = self.settings.typos
        best: tuple[int, int, str] | None = None
        if len(word) < self.settings.typos.shortest:
            return None
        names = index.names_by_initial.get(initial(word), [])
        others = index.vocabulary_by_initial.get(initial(word), [])
        for rank, pool, limit in ((0, names, typos.for_name(word)), (1, others, typos.for_word(word))):
            if not limit or not pool:
                continue
            match = next(
                (
                    m
                    for m in process.extract(word, pool, scorer=OSA.distance, score_cutoff=limit, limit=3)
                    if index.knows_spelling(str(m[0])) or str(m[0]) in index.name_words
                ),
                None,
            )
            if match is None:
                continue
            candidate, distance = str(match[0]), int(match[1])
            if best is None or (distance, rank) < best[:2]:
                best = (distance, rank, candidate)
        # A name typed as it sounds, or in another romanisation ("kojemiako", "wladimir"): one edit
        # fewer than a typo may make, since sounding alike already forgives much ("kazan" is not Khasan).
        sounded = self._sounds_like_name(word, typos.for_name(word) - 1)
        if sounded is not None and (best is None or sounded[0] < best[0]):
            best = (sounded[0], 0, sounded[1])
        return best[2] if best else None

    def _near_a_name(self, word: str) -> bool:
        """Whether the word is one edit from a name word (a letter doubled, dropped or swapped)."""
        pool = self.index.names_by_initial.get(initial(word), [])
        return bool(pool) and process.extractOne(word, pool, scorer=OSA.distance, score_cutoff=1) is not None

    def _sounds_like_name(self, word: str, limit: int) -> tuple[int, str] | None:
        """The name word nearest to `word` as both sound (lexicon: sounds), within `limit` edits
        (`name_sounds` maps each name word to its sound, by the sound's first letter)."""
        sound = self.lexicon.sound(word)
        pool = self.index.name_sounds.get(sound[:1])
        if limit < 0 or not pool:
            return None
        match = process.extractOne(sound, pool, scorer=OSA.distance, score_cutoff=limit)
        if match is None:
            return None
        return int(match[1]), str(match[2])

    def _beside(self, tokens: list[str], i: int) -> list[str]:
        """The words either side of word i, past one filler word: a name may hold one ("komsomolsk
        on amur")."""
        found: list[str] = []
        for step in (-1, 1):
            j = i + step
            if 0 <= j < len(tokens) and tokens[j] in self.lexicon.filler:
                j += step
            if 0 <= j < len(tokens):
                found.append(tokens[j])
        return found

    def _name_distance(self, word: str, part: str, sound: str) -> int:
        """Edits from a word (`sound`: as it sounds) to part of a name, in spelling (first letter
        right) or in sound."""
        if part.startswith(word):
            return 0
        distances = [OSA.distance(word, part)] if part[0] == word[0] else []
        named = self.index.sound_of.get(part)
        if named is None:
            named = self.lexicon.sound(part)
        if sound[:1] == named[:1]:
            distances.append(OSA.distance(sound, named))
        return min(distances, default=len(part))

    # -- entities -----------------------------------------------------------------------------------

    def _entities(self, text: str, tokens: list[str]) -> list[EntityMention]:
        return [EntityMention(e, start, end) for e, start, end in self.index.find_entities(text, tokens)]

    def _roles(self, query: Query) -> None:
        """Entities the question describes by their role rather than names: "who is the foreign
        minister travelling with Kim" covers much of Choe Sun Hui's role (and names Kim in it)."""
        total = query.total_weight
        # Words that describe (not names of places or people, which "nk" or "korean" would be).
        names = self.index.name_stems
        described = [w for w in query.content if w.entity_id is None and w.known and set(w.stems) - names]
        if not total or not described:
            return
        named = query.named
        scores: dict[str, float] = {}
        near = {e for w in described for x in w.stems for e in self.index.roles_with.get(x, ())}
        for entity_id in sorted(near):  # sorted: the cards' order must not depend on the hash seed
            role = self.index.role_stems[entity_id]
            if entity_id in named:
                continue
            hit = sum(w.weight for w in described if not role.isdisjoint(w.stems))
            if not hit:
                continue
            hit += sum(w.weight for w in query.content if w.entity_id and not role.isdisjoint(w.stems))
            scores[entity_id] = hit / total
        if not scores:
            return
        best = max(scores.values())
        tied = {e: s for e, s in scores.items() if s >= best - 1e-9}
        if best >= self.settings.role_match and len(tied) <= self.settings.role_ties:
            query.roles = tied
            for entity_id in query.roles:
                entity = self.index.entities[entity_id]
                for w in words(entity.name):
                    if w not in self.lexicon.filler:
                        query.terms.append((self.index.word_stem.get(w) or stem(w), self.settings.query_terms.role))

    def _direction(self, query: Query) -> None:
        verbs, markers = self.lexicon.direction.verbs, self.lexicon.direction.object_markers
        at = next((i for i, w in enumerate(query.tokens) if w in verbs), None)
        if at is None:
            return
        before = frozenset(m.entity_id for m in query.entities if m.end <= at)
        # The other party is the first name after the verb ("… from Kim", not "… according to US officials").
        following = [m.entity_id for m in query.entities if m.start > at]
        after = frozenset(following[:1])
        marked = any(w in markers for w in query.tokens[at + 1 :])
        if before and (after or marked):
            query.subject, query.object = before, after - before

    def _only(self, query: Query, content: list[str]) -> None:
        """A question that is nothing but a name, or a topic's name, in a few framing words."""
        frame = self.lexicon.name_frame | self.lexicon.chat_filler
        named = {i for m in query.entities for i in range(m.start, m.end)}
        rest = [w for i, w in enumerate(query.tokens) if i not in named]
        if query.entities and len(query.named) == 1 and all(w in frame for w in rest):
            query.name_only = query.entities[0].entity_id
            return
        if not query.entities and content and all(w in frame for w in rest if w not in content):
            key = tuple(stem(w) for w in content)
            query.topic_only = self._topic_phrases.get(key)

    # -- words --------------------------------------------------------------------------------------

    def _add_synonyms(self, query: Query, phrase: str, weight: float) -> tuple[str, ...]:
        """Search the synonyms of `phrase` too; returns the index terms added."""
        added: list[str] = []
        for other in self.index.synonyms.get(phrase, ()):
            for word in other:
                term = self.index.word_stem.get(word) or stem(word)
                if term in self.index.postings and word not in self.lexicon.filler:
                    query.terms.append((term, weight / len(other)))
                    added.append(term)
        return tuple(added)

    def _phrase_weight(self, phrase: str) -> float:
        index = self.index
        stems = [stem(w) for other in index.synonyms[phrase] for w in other if stem(w) in index.postings]
        return max((index.idf(s) for s in stems), default=index.max_idf)

    def _word(self, query: Query, word: str, corrected: bool) -> Word:
        found = self._lookup(query, word, corrected)
        certainty = "certainty" in query.intents and word in self.lexicon.certainty_frame
        if certainty or word in self.lexicon.framing or stem(word) in self._framing_stems:
            framing_how = found.how if found.known else "framing-unknown"
            weight = found.weight * self.settings.framing_weight
            return Word(found.text, framing_how, weight, found.stems, None, True, found.zipf)
        return found

    @cached_property
    def _framing_stems(self) -> frozenset[str]:
        return frozenset(stem(w) for w in self.lexicon.framing)

    def _lookup(self, query: Query, word: str, corrected: bool) -> Word:
        index, terms = self.index, self.settings.query_terms
        term = index.word_stem.get(word) or stem(word)
        # A noun naming a kind of entity ("countries", "officials") is spoken of by a candidate
        # naming two or more of that kind.
        kind = self.lexicon.listed_kind.get(word)
        listed = (f"@{kind}",) if kind else ()
        # Other forms of the word the briefing uses: "strongly" for "stronger", "militarily" for "military".
        forms = [t for t in dict.fromkeys(self._forms(word)) if t != term and t in index.postings]
        if term not in index.postings and forms:
            term = forms.pop(0)
        if term in index.postings:
            weight = terms.corrected if corrected else 1.0
            query.terms.append((term, weight))
            query.terms.extend((t, terms.synonym_of_known) for t in forms)
            how = "typo" if corrected else "word"
            also = self._add_synonyms(query, word, terms.synonym_of_known)
            return Word(word, how, index.idf(term), (term, *forms, *also, *listed))
        stems = self._add_synonyms(query, word, terms.synonym)
        if stems:
            return Word(word, "synonym", self._phrase_weight(word), (term, *stems, *listed))
        frequency = zipf(word)
        return Word(word, "unknown", self._unknown_weight(word, frequency), listed, zipf=frequency)

    def _forms(self, word: str) -> list[str]:
        """Stems of the word's other forms (adverb, comparative, superlative), by the lexicon's endings."""
        bases = [word[: -len(end)] + base for end, base in self.lexicon.word_forms.items() if word.endswith(end)]
        bases = [b for b in bases if len(b) >= self.settings.typos.shortest] or [word]
        return [stem(b + ending) for b in bases for ending in ("", "er", "est", "ly")]

    def _unknown_weight(self, word: str, frequency: float) -> float:
        """A word the briefing never uses weighs like a rare word if it is rare in English too (a name,
        a specialist word: the question's subject), less the more everyday it is."""
        bounds = self.settings.unknown_words
        if word.isdigit() or frequency < bounds.rare:
            share = bounds.weights["rare"]
        else:
            share = bounds.weights["mid" if frequency < bounds.common else "common"]
        return self.index.max_idf * share


# Where a sentence ends and another starts within a message.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def unknown_kind(word: Word, rare: float, common: float) -> str:
    if word.text.isdigit():
        return "number"
    if word.zipf < rare:
        return "rare"
    return "mid" if word.zipf < common else "common"


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1) if word[i] != word[i + 1]]


def _insertions(word: str) -> list[str]:
    """A letter doubled: "wheere", "abbout"."""
    return [word[: i + 1] + word[i] + word[i + 1 :] for i in range(len(word))]


def pairs_of(stems: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset(itertools.pairwise(stems))


def _beside(tokens: list[str], phrase: list[str], ends: frozenset[str]) -> tuple[str | None, str | None]:
    """The words just before and after the phrase's first place in the question, unless they are
    words that end a phrase (filler words)."""
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n] == phrase:
            before = tokens[i - 1] if i and tokens[i - 1] not in ends else None
            after = tokens[i + n] if i + n < len(tokens) and tokens[i + n] not in ends else None
            return before, after
    return None, None
