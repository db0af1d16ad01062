"""The answer engine: right snippet first, typos and spellings tolerated, honest refusals."""

from __future__ import annotations

import pytest

from bot.answer.engine import Engine
from bot.briefing.models import Briefing


@pytest.fixture(scope="module")
def engine(briefing: Briefing) -> Engine:
    return Engine(briefing)


def top_text(engine: Engine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, f"{question!r} was refused: {answer.reason}"
    return answer.hits[0].snippet.text.lower()


@pytest.mark.parametrize(
    "question",
    [
        "what's the recipe for kimchi",  # "kimchi" must not fuzzy-match "Kim"
        "who is the president of france",  # shares "president" with Putin's title
        "how many nuclear warheads does north korea have",  # near the subject, not in the articles
        "what did xi jinping say about the summit",
        "football scores today",
        "",
        "   ",
        "the and of",  # nothing but filler
    ],
)
def test_questions_the_briefing_does_not_cover_are_refused(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert not answer.answered
    assert answer.hits == ()
    assert answer.reason
    assert answer.suggestions


def test_refusal_names_the_words_it_does_not_know(engine: Engine) -> None:
    answer = engine.ask("who is the president of france")
    assert answer.reason is not None and "“france”" in answer.reason


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("vostochy cosmodrome", "vostochny"),  # typo
        ("peskof", "peskov"),  # typo in a name
        ("vladmir putn sanctions", "sanction"),  # typos in a name, short word included
        ("Choe Sun Hui", "choe"),  # one spelling
        ("Choe Sun-hui foreign minister", "choe"),  # the other
        ("Jo Chun Yong", "jo chun"),
        ("Kim Jong-un train", "train"),
        ("honor guard", "honour guard"),  # American spelling, British text
        ("how far is the cosmodrome from ussuriysk", "900"),
        ("photos of kim leaving pyongyang", "pyongyang"),  # synonym: photos → photographs
    ],
)
def test_typos_and_spellings_find_the_right_snippet(engine: Engine, question: str, expected: str) -> None:
    assert expected in top_text(engine, question)


def test_us_as_a_pronoun_is_not_the_united_states(engine: Engine) -> None:
    assert [m.entity_id for m in engine.understand("tell us about the train").entities] == []
    assert "united-states" in [m.entity_id for m in engine.understand("what did the US say").entities]


def test_a_how_many_question_needs_a_figure_in_the_answer(engine: Engine) -> None:
    refused = engine.ask("how many people were in the delegation")
    assert not refused.answered
    assert "figure" in (refused.reason or "")
    assert "18" in top_text(engine, "how many months has the war in ukraine lasted")


def test_what_did_someone_say_puts_their_own_words_first(engine: Engine) -> None:
    answer = engine.ask("what did matthew miller say")
    assert answer.hits[0].snippet.speaker in ("matthew-miller", "us-state-department")


def test_answers_are_ranked_best_first(engine: Engine) -> None:
    answer = engine.ask("crabmeat dumplings")
    scores = [hit.score for hit in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert "crab" in answer.hits[0].snippet.text.lower()
