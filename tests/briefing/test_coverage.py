"""Coverage: which factual article sentences no snippet cites (chrome and headings left out)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.briefing.load import load
from bot.briefing.text import normalise, sentences


def test_coverage_counts_factual_sentences_only(mini: Path) -> None:
    result = load(mini)
    assert result.ok, result.problems
    (article,) = result.coverage
    # 4 sentences: the chrome line and the heading are not article sentences.
    assert article.total == 4
    assert article.covered == 2
    assert article.uncovered == (
        "Analysts doubt that U.N. sanctions will stop a deal.",
        "Nobody knows what was agreed.",
    )


def test_a_quote_of_two_sentences_covers_both(mini: Path) -> None:
    path = mini / "briefings/snippets/meeting.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "quote: The leaders met on Wednesday at a spaceport.",
            "quote: >-\n          Analysts doubt that U.N. sanctions will stop a deal.\n"
            "          Nobody knows what was agreed.",
        ).replace("certainty: confirmed", "certainty: analysis"),
        encoding="utf-8",
    )
    result = load(mini)
    assert result.ok, result.problems
    assert result.coverage[0].uncovered == ("The leaders met on Wednesday at a spaceport.",)


def test_quotes_match_despite_typographic_quotes_and_line_breaks() -> None:
    assert normalise("Kim\u2019s  \u201ctrain\u201d \u2013\n left") == 'Kim\'s "train" - left'


def test_abbreviations_do_not_end_sentences() -> None:
    assert sentences("Prof. Lee spoke. The U.S. and the U.N. Security Council agreed. Then \u201cno.\u201d Done.") == [
        "Prof. Lee spoke.",
        "The U.S. and the U.N. Security Council agreed.",
        "Then \u201cno.\u201d",
        "Done.",
    ]


@given(st.lists(st.from_regex(r"[A-Z][a-z]{1,8}( [a-z]{1,8}){0,5}[.?!]", fullmatch=True), min_size=1, max_size=6))
def test_sentences_round_trip(parts: list[str]) -> None:
    paragraph = " ".join(parts)
    assert sentences(paragraph) == parts
