"""Words as the answer engine sees them: folded, split and stemmed, one text or a whole corpus at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
_TYPOGRAPHIC = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
_TYPOGRAPHY = str.maketrans(_TYPOGRAPHIC)
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _plain(run: re.Match[str]) -> str:
    """Typographic quotes and dashes as plain ones, accents dropped."""
    text = run.group().translate(_TYPOGRAPHY)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# Both start with the character they look for, so the regex engine scans for it quickly. Only a
# comma groups digits once a text is plain: NFKD makes the narrow and no-break spaces spaces.
_DIGIT_GROUPS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"'(?:s\b|(?<=s')(?=\s|$))")
_WORD = re.compile(r"[a-z0-9]+")
# Byte classes for counting words with numpy: 1 a word character (as for _WORD), 2 the separator.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_CLASSES = bytes(1 if b in _WORD_BYTES else 2 if b == 0x1E else 0 for b in range(256))
# Every byte that is not a word character becomes a space, for bytes.split().
_SPACED = bytes(b if b in _WORD_BYTES else 0x20 for b in range(256))
# Joins many texts into one for folding in bulk; never a character of a word.
_SEPARATOR = "\x1e"


def fold(text: str) -> str:
    """Lower case, accents dropped, digit grouping and possessives removed, apostrophes dropped."""
    if not text.isascii():
        # The usual ones (curly quotes, dashes) each replaced in one fast pass; then, if anything
        # else remains (accents), only those characters are looked at, one run at a time.
        for typographic, plain in _TYPOGRAPHIC.items():
            if typographic in text:
                text = text.replace(typographic, plain)
        if not text.isascii():
            text = _NOT_ASCII.sub(_plain, text)
    if "`" in text:
        text = text.replace("`", "'")
    text = text.lower()
    if "," in text:
        text = _DIGIT_GROUPS.sub("", text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text).replace("'", "")
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def split(folded: str) -> list[str]:
    """The words of a text already folded."""
    return _WORD.findall(folded)


def count_words(texts: Sequence[str]) -> tuple[list[bytes], npt.NDArray[np.int64]]:
    """All the words of the texts in order (as ASCII bytes: what _WORD matches, found by a byte
    translation and a split, faster than the regex over a whole corpus), and how many each text
    has (found with numpy where the words start)."""
    if not texts:
        return [], np.zeros(0, dtype=np.int64)
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself
        joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    # One byte per character (anything not ASCII is "?", not a word character, as for _WORD).
    encoded = fold(joined).encode("ascii", "replace")
    tokens = encoded.translate(_SPACED).split()
    # 1 for a word character, 2 for the separator, 0 for the rest.
    data = np.frombuffer(encoded.translate(_CLASSES), dtype=np.uint8)
    word = data == 1
    starts = word.copy()
    starts[1:] &= ~word[:-1]
    # The words starting before each separator, found among the word starts (a few per hundred
    # characters) rather than by a running count over every character.
    positions = np.flatnonzero(starts)
    before = np.searchsorted(positions, np.flatnonzero(data == 2))
    return tokens, np.diff(before, prepend=0, append=len(positions)).astype(np.int64, copy=False)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def stem_many(distinct: Sequence[str]) -> list[str]:
    """Stems of distinct words, in one call to the stemmer."""
    return [str(s) for s in _STEMMER.stemWords(list(distinct))]
