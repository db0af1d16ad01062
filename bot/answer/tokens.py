"""Words as the answer engine sees them: folded, split and stemmed, one text or a whole corpus at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,\u202f\u00a0](?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?=\s|$)")
_WORD = re.compile(r"[a-z0-9]+")
# Joins many texts into one for folding in bulk; never a character of a word.
_SEPARATOR = "\x1e"


def fold(text: str) -> str:
    """Lower case, accents dropped, digit grouping and possessives removed, apostrophes dropped."""
    text = text.translate(_TYPOGRAPHY)
    if not text.isascii():  # the slow path only where accents may be
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _DIGIT_GROUPS.sub("", text.lower())
    return _POSSESSIVE.sub("", text).replace("'", "")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def words_of_many(texts: Sequence[str]) -> list[list[str]]:
    """`words` of each text, folding them all in one pass (much faster for a large corpus)."""
    if not texts:
        return []
    joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    return [_WORD.findall(part) for part in fold(joined).split(_SEPARATOR)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def stem_many(distinct: Sequence[str]) -> list[str]:
    """Stems of distinct words, in one call to the stemmer."""
    return [str(s) for s in _STEMMER.stemWords(list(distinct))]
