"""Reading lines of text typed or piped in, of any size and encoding, without losing the rest.

Lines end at "\\n" only (a "\\r\\n" ending is trimmed): a stray "\\r" inside a line never splits it, so
`ask --batch` keeps one answer per input line. Each line must be UTF-8; one that is not is reported
(its number, the offending byte) and the lines after it are still read. A line longer than
`LINE_BYTES` is read up to that size and the rest of it is skipped unread into memory.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

# Far beyond any question (the router reads 1,000 characters of one), small enough to hold.
LINE_BYTES = 100_000
_CHUNK = 65_536


@dataclass(frozen=True)
class Line:
    number: int
    # The line without its ending, or None when it is not UTF-8 text (then `problem` says why).
    text: str | None
    problem: str | None = None
    clipped: bool = False


def read_lines(stream: BinaryIO, limit: int = LINE_BYTES) -> Iterator[Line]:
    number = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        number += 1
        clipped = len(raw) > limit and not raw.endswith(b"\n")
        if clipped:
            raw = raw[:limit]
            _skip_rest_of_line(stream)
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)  # a file saved as "UTF-8 with BOM"
        yield decode_line(number, raw.removesuffix(b"\n").removesuffix(b"\r"), clipped)


def decode_line(number: int, raw: bytes, clipped: bool = False) -> Line:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # A clipped line may end inside a character: that tail is dropped, not an error.
        text = decoder.decode(raw, final=not clipped)
    except UnicodeDecodeError as exc:
        byte = raw[exc.start]
        problem = f"line {number} is not UTF-8 text (byte 0x{byte:02x} at position {exc.start + 1}); it was skipped"
        return Line(number, None, problem)
    return Line(number, text, clipped=clipped)


def text_problem(text: str) -> str | None:
    """Why a string that came from outside (an argument, a terminal line) is not text, if it is not:
    Python hands undecodable bytes over as lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(text[exc.start]) - 0xDC00 if 0xDC80 <= ord(text[exc.start]) <= 0xDCFF else None
        what = f"byte 0x{byte:02x}" if byte is not None else "a lone surrogate"
        return f"not UTF-8 text ({what} at position {exc.start + 1})"
    return None


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return
