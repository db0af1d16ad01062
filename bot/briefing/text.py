"""Article text: the normalisation quotes are compared under, and the split into sentences."""

from __future__ import annotations

import re
from functools import lru_cache

# Only typography may differ between a quote and its article: curly vs straight quotes, dash kinds,
# non-breaking spaces and line breaks.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold whitespace and typographic quotes/dashes; nothing else changes."""
    return _SPACE.sub(" ", text.translate(_TYPOGRAPHY)).strip()


# Abbreviations in these articles (and common in news) whose full stop does not end a sentence.
_ABBREVIATIONS = ("U.N.", "U.S.", "Prof.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gen.", "Lt.", "Col.", "No.")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping each sentence's text exactly as written."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        head = paragraph[start : match.start()]
        # Keep a closing quote with the sentence it closes.
        closing = paragraph[match.start() : match.end()].rstrip()
        candidate = (head + closing).strip()
        if candidate.endswith(_ABBREVIATIONS):
            continue
        out.append(candidate)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


@lru_cache(maxsize=8192)
def quote_sentences(quote: str) -> tuple[str, ...]:
    """A citation's sentences, normalised (cached: the same sentence is often cited many times)."""
    return tuple(sentences(normalise(quote)))


# Quotation marks, after normalise() has made them straight. Double marks pair up in order. A single
# mark opens only after a space, a bracket or a double mark and closes only before a space or
# punctuation, so the apostrophes of "won't", "Korea's" and "countries' interests" pair with nothing.
_QUOTED = re.compile(r"\"([^\"]+)\"|(?<![\w'])'(?=\w)((?:[^']|(?<=\w)'(?=\w))*?\S)'(?!\w)")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Where the words inside quotation marks are in `text` (normalised), marks left out, in order."""
    return [match.span(1) if match.group(1) is not None else match.span(2) for match in _QUOTED.finditer(text)]


def article_lines(text: str, not_article_text: tuple[str, ...]) -> list[str]:
    """The article's non-empty lines with page chrome removed (chrome may open a line, as in a0)."""
    chrome = sorted((normalise(c) for c in not_article_text), key=len, reverse=True)
    lines: list[str] = []
    for raw in text.splitlines():
        line = normalise(raw)
        for piece in chrome:
            if line == piece:
                line = ""
            elif line.startswith(piece + " "):
                line = line[len(piece) :].strip()
        if line:
            lines.append(line)
    return lines
