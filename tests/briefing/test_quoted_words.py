"""Which words of an article sentence a speaker said: those inside its quotation marks."""

from __future__ import annotations

import pytest

from bot.briefing.text import quoted_words


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ('He said, "We will focus on it." Then he left.', ("We will focus on it.",)),
        ("Kim called it “a clear manifestation” of this.", ("a clear manifestation",)),
        ("Troops got it from a 'friendly country' after that.", ("friendly country",)),
        ('It would "pay a price" and face "consequences".', ("pay a price", "consequences")),
        ("North Korea's leader met the two countries' officials.", ()),
        ("Lim expressed deep concern over the discussions.", ()),
        ('The statement: "As you know, the interests of our', ("As you know, the interests of our",)),
    ],
)
def test_quoted_words(sentence: str, words: tuple[str, ...]) -> None:
    assert quoted_words(sentence) == words
