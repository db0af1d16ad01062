"""The engine's lexicon and hand-set knobs, read from `bot/answer/data/` when an engine is built.

The code holds mechanisms only: every word list, question cue and knob is in `lexicon.yaml` and
`settings.yaml` beside it, for a curator to read; fitted weights are in `model.json` (see model.py).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

DATA = Path(__file__).resolve().parent / "data"
# The made-up word that stands for an answer type a question asks for ("asktypeduration").
TYPE_MARK = "asktype"


class _Frozen(BaseModel):
    # Validators built when first used: `ask` reads a whole index back (cache.py) and never validates.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def _word_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(str(v) for v in value)


class Direction(_Frozen):
    verbs: frozenset[str]
    object_markers: frozenset[str]

    _words = field_validator("verbs", "object_markers", mode="before")(_word_set)


class Focus(_Frozen):
    """Where a question's words stand to say what it asks for (see lexicon.yaml: focus)."""

    openers: frozenset[str]
    determiners: frozenset[str]
    quantifiers: tuple[str, ...]
    looked_past: frozenset[str]
    askers: frozenset[str]
    auxiliaries: frozenset[str]
    wh_words: frozenset[str]
    subjects: frozenset[str]
    # "would Russia *be* reluctant to transfer …": after one of these, a word followed by "to" and a
    # verb says how the subject stands to the action, and the action is that verb.
    linking: frozenset[str] = frozenset()

    _words = field_validator(
        "openers",
        "determiners",
        "looked_past",
        "askers",
        "auxiliaries",
        "wh_words",
        "subjects",
        "linking",
        mode="before",
    )(_word_set)


class AnswerCues(_Frozen):
    why: frozenset[str]
    certainty: frozenset[str]

    _words = field_validator("why", "certainty", mode="before")(_word_set)


class AnswerType(_Frozen):
    """What an answer must hold for a question asking for one kind of thing ("which decade")."""

    # Words naming the type in a question: what is asked for, not the question's subject.
    words: frozenset[str]
    asks: str
    holds: str
    # The refusal's "the articles give no …".
    missing: str
    # For "how many X": X must follow a figure within this many words (0: a figure anywhere).
    counts: int = 0
    # A name answers it: a sentence naming a place, body or event whose name holds a word the
    # question describes it by ("the forum": the Eastern Economic Forum), or that the question gives
    # only part of the name of ("the economic forum").
    named: bool = False

    _words = field_validator("words", mode="before")(_word_set)

    @cached_property
    def asked(self) -> re.Pattern[str]:
        return re.compile(self.asks)

    @cached_property
    def held(self) -> re.Pattern[str]:
        return re.compile(self.holds)


class Lexicon(_Frozen):
    question_words: frozenset[str]
    stopwords: frozenset[str]
    chat_filler: frozenset[str]
    greetings: frozenset[str]
    name_frame: frozenset[str]
    framing: frozenset[str]
    certainty_frame: frozenset[str]
    intents: dict[str, str]
    focus: Focus
    modifier_endings: tuple[str, ...]
    joiners: tuple[str, ...]
    # Words by which a part of such a question refers to a part before it ("what is AUKUS and who
    # signed *it*"): it is not answered on its own when the part it refers to is not answered.
    refer_back: frozenset[str] = frozenset()
    direction: Direction
    answer_cues: AnswerCues
    # Where an answer type's cue must stand to count: where the question or one of its clauses opens.
    clause_start: str
    clause_end: str
    counted_ends: frozenset[str]
    # Figures written as words ("four years"): a figure beside its unit, as digits are.
    number_words: frozenset[str]
    answer_types: dict[str, AnswerType]
    # Entity kind → nouns that count entities of that kind ("how many *countries*").
    listed: dict[str, frozenset[str]]
    # Everyday phrase → the words news reports use for it (searched too, one way).
    paraphrases: dict[str, tuple[str, ...]]
    # Word ending → the ending of its base form ("ily" → "y": "militarily" is a form of "military").
    word_forms: dict[str, str]
    # Endings clipped in a chat → the full ending ("goin" → "going").
    clipped_endings: dict[str, str]
    # Short forms people type → the full word ("uni" → "university", "mike" → "michael").
    short_forms: dict[str, str]
    # Words that stand for the rest of a name half remembered ("the cosmo-something place"): the
    # word before is read as the start of a name of the briefing, where only one name starts so.
    name_rest: frozenset[str]
    # Figures typed for a word ("get 2 russia") → the word, read so before a name of the briefing.
    figure_words: dict[str, str]
    # ... and the words after which they are read so too ("2 us", "4 the").
    figure_words_before: frozenset[str] = frozenset()
    # Small counts typed as figures → the word the articles write ("which 2 officials"), where a word follows.
    counted_figures: dict[str, str] = {}
    # A figure typed with its unit ("500km"): the figure and the unit, as groups 1 and 2.
    attached_unit: str
    # Units that measure one thing ("time": years, months): a claim's figure in one of them is set
    # against the articles' figure in another ("two years" against "the 18-month war").
    measures: dict[str, frozenset[str]] = {}
    # How a name sounds: rewriting rules (pattern, replacement) applied in order to a folded word.
    sounds: tuple[tuple[str, str], ...]

    _words = field_validator(
        "question_words",
        "stopwords",
        "chat_filler",
        "greetings",
        "name_frame",
        "framing",
        "certainty_frame",
        "number_words",
        "name_rest",
        "figure_words_before",
        "refer_back",
        mode="before",
    )(_word_set)

    @field_validator("listed", "measures", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return {kind: _word_set(nouns) for kind, nouns in value.items()} if isinstance(value, dict) else value

    @cached_property
    def measure_of(self) -> dict[str, str]:
        return {unit: measure for measure, units in self.measures.items() for unit in units}

    @cached_property
    def listed_kind(self) -> dict[str, str]:
        return {noun: kind for kind, nouns in self.listed.items() for noun in nouns}

    def type_marks(self, folded: str) -> list[str]:
        """A made-up word for each answer type whose cue the (folded) question holds anywhere, so
        that questions compared word for word differ by what they ask for: "how long has Choe Sun
        Hui been foreign minister" is not "Choe Sun Hui foreign minister"."""
        return [f"{TYPE_MARK}{name}" for name, cue in self.type_cues.items() if cue.search(folded)]

    @cached_property
    def type_cues(self) -> dict[str, re.Pattern[str]]:
        """Each answer type's cue alone: a question without the cue anywhere (most) is never searched
        with the slower clause-bound pattern (`clause_cue`)."""
        return {name: re.compile(t.asks) for name, t in self.answer_types.items()}

    @cached_property
    def _clause_cues(self) -> dict[str, re.Pattern[str]]:
        return {}

    def clause_cue(self, name: str) -> re.Pattern[str]:
        """The type's cue where a clause starts or ends, compiled when first needed (compiling all
        of them took a tenth of `ask`'s cold start)."""
        cue = self._clause_cues.get(name)
        if cue is None:
            asks = self.answer_types[name].asks
            cue = self._clause_cues[name] = re.compile(f"{self.clause_start}(?:{asks})|(?:{asks}){self.clause_end}")
        return cue

    @cached_property
    def unit_pattern(self) -> re.Pattern[str]:
        return re.compile(self.attached_unit)

    @cached_property
    def intent_patterns(self) -> dict[str, re.Pattern[str]]:
        return {name: re.compile(pattern) for name, pattern in self.intents.items()}

    @cached_property
    def _sound_rules(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern), replacement) for pattern, replacement in self.sounds)

    def sound(self, word: str) -> str:
        """The word as it sounds ("kozhemyako" and "kojemiako" both "kojemiako"): see `sounds`."""
        for pattern, replacement in self._sound_rules:
            word = pattern.sub(replacement, word)
        return word

    def describing(self, word: str, shortest: int) -> bool:
        return len(word) >= shortest and word.endswith(self.modifier_endings)

    @cached_property
    def filler(self) -> frozenset[str]:
        """Words that carry no subject matter: question words and stopwords."""
        return self.question_words | self.stopwords | self.chat_filler


class BM25(_Frozen):
    k1: float
    b: float
    fields: dict[str, float]


class QueryTerms(_Frozen):
    synonym: float
    synonym_of_known: float
    question_word: float
    corrected: float
    role: float


class Typos(_Frozen):
    name_edits: dict[int, int]
    word_edits: dict[int, int]
    english_word_zipf: float
    shortest: int
    shortest_in_context: int

    @staticmethod
    def _allowed(table: dict[int, int], word: str) -> int:
        return max((edits for length, edits in table.items() if len(word) >= length), default=0)

    def for_name(self, word: str) -> int:
        return self._allowed(self.name_edits, word)

    def for_word(self, word: str) -> int:
        return self._allowed(self.word_edits, word)


class UnknownWords(_Frozen):
    rare: float
    common: float
    weights: dict[str, float]


class Fit(_Frozen):
    folds: int
    seed: int
    rank_l2: float
    rank_steps: int
    rank_learning_rate: float
    # The ranker's hidden units (0: linear), their L2 and the spread of their seeded first weights.
    hidden_units: int = 0
    hidden_l2: float = 0.0
    hidden_init: float = 0.3
    refusal_l2: float
    threshold_softness: float
    costs: dict[str, float]
    # How much each question file's questions weigh in fitting the ranker ("rank") and the decision
    # to answer ("refusal"); a file not named weighs 1.
    weights: dict[str, dict[str, float]] = {}

    def weight(self, part: str, source: str) -> float:
        return self.weights.get(part, {}).get(source, 1.0)


class Settings(_Frozen):
    bm25: BM25
    query_terms: QueryTerms
    typos: Typos
    unknown_words: UnknownWords
    candidates: int
    max_words: int
    role_match: float
    role_ties: int
    specific_share: float
    pool: dict[str, float]
    framing_weight: float
    pair_cache: int
    results: int
    related: int
    part_answered: float
    part_alone: float
    suggestion_score: float
    suggestions: int
    phrases: int
    describing_length: int
    fit: Fit


def _read(path: Path) -> Any:
    # Imported here: `ask` reads the index built last time (cache.py) and never parses this YAML.
    import yaml

    # libyaml's parser when PyYAML has it: the pure-Python one took a third of `ask`'s cold start.
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def load_lexicon(folder: Path = DATA) -> Lexicon:
    return Lexicon.model_validate(_read(folder / "lexicon.yaml"))


def load_settings(folder: Path = DATA) -> Settings:
    return Settings.model_validate(_read(folder / "settings.yaml"))
