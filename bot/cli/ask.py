"""`briefbot ask "question"`: answer from the command line, as text or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from bot.cli.common import briefing_or_exit, subcommand
from bot.errors import OperatorError


def register(commands: Any) -> None:
    parser = subcommand(
        commands,
        "ask",
        run,
        "answer a question from the briefing",
        "Answer a question. With --batch, read one question per line and print one JSON object each.",
    )
    parser.add_argument("question", nargs="*", help="the question (quote it, or give it as words)")
    parser.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    parser.add_argument(
        "--batch", metavar="FILE", help="read questions from FILE, one per line ('-' for stdin); prints JSON lines"
    )


def run(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    if args.batch is None and not question:
        print('briefbot ask: give a question, e.g. briefbot ask "where did Kim and Putin meet?"', file=sys.stderr)
        return 2
    if args.batch is not None and question:
        print("briefbot ask: give either a question or --batch, not both", file=sys.stderr)
        return 2
    if not _is_text(question):
        raise OperatorError("the question is not UTF-8 text: type it again, or set the terminal to UTF-8", 2)
    stream = _open_batch(args.batch) if args.batch is not None else None
    # Only what answering needs: the router builds the answer engine; nothing of Discord or the
    # digest store is imported.
    from bot.adapters.text import answer_json, render_text
    from bot.router import Router

    router = Router(briefing_or_exit(args))
    if stream is None:
        reply = router.ask(question)
        if args.json:
            print(json.dumps(answer_json(question, reply), ensure_ascii=False))
        else:
            print(render_text(reply))
        return 0
    with stream:
        # One JSON object per input line, in order (a blank line gets an unanswered object),
        # flushed each time so a caller can stream questions through one process.
        for query in _lines(stream, "standard input" if args.batch == "-" else args.batch):
            reply = router.ask(query)
            sys.stdout.write(json.dumps(answer_json(query, reply), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return 0


def _is_text(text: str) -> bool:
    """False for arguments holding bytes that are not UTF-8 (Python keeps them as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _open_batch(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    try:
        return open(name, "rb")
    except FileNotFoundError:
        raise OperatorError(f"--batch {name}: no such file; give a file with one question a line, or -") from None
    except IsADirectoryError:
        raise OperatorError(f"--batch {name} is a folder; give a file of questions, one per line") from None
    except OSError as exc:
        raise OperatorError(f"--batch {name}: cannot read it ({exc.strerror})") from None


def _lines(stream: BinaryIO, name: str) -> Iterator[str]:
    """Each line as text; a line that is not UTF-8 stops the batch with its number (those before it
    have been answered)."""
    for number, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise OperatorError(
                f"line {number} of {name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                "the lines before it were answered. Save the questions as UTF-8."
            ) from None
