"""`briefbot ask "question"`: answer from the command line, as text or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

from bot.adapters.lines import read_lines, text_problem
from bot.cli.common import briefing_or_exit, subcommand
from bot.commands.registry import Surface
from bot.errors import OperatorError

if TYPE_CHECKING:
    from bot.router import Router

USAGE = 'briefbot ask: give a question, e.g. briefbot ask "where did Kim and Putin meet?"'


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
    # An empty question and one of spaces are the same question.
    if args.batch is None and not question.strip():
        print(USAGE, file=sys.stderr)
        return 2
    if args.batch is not None and question.strip():
        print("briefbot ask: give either a question or --batch, not both", file=sys.stderr)
        return 2
    problem = text_problem(question)
    if problem:
        raise OperatorError(f"the question is {problem}: type it again, or set the terminal to UTF-8", 2)
    stream = _open_batch(args.batch) if args.batch is not None else None
    # Only what answering needs: the router builds the answer engine; nothing of Discord or the
    # digest store is imported.
    from bot.adapters.text import answer_json, render_text
    from bot.router import Router

    router = Router(briefing_or_exit(args), Surface.cli, cached=True)
    if stream is None:
        reply = router.ask(question)
        if args.json:
            print(json.dumps(answer_json(question, reply), ensure_ascii=False))
        else:
            print(render_text(reply, surface=Surface.cli))
        return 0
    with stream:
        return batch(router, stream, "standard input" if args.batch == "-" else args.batch)


def batch(router: Router, stream: BinaryIO, name: str) -> int:
    """One JSON object per input line, in order (a blank line gets an unanswered object), flushed each
    time so a caller can stream questions through one process. Lines end at "\\n" only; a line that is
    not UTF-8 is named on stderr and gets an unanswered object, and the exit status is then 1."""
    from bot.adapters.text import answer_json

    bad = 0
    for line in read_lines(stream):
        if line.text is None:
            bad += 1
            print(f"briefbot ask: {name}: {line.problem}; save the questions as UTF-8", file=sys.stderr)
            document = {"query": "", "answered": False, "results": [], "suggestions": []}
        else:
            document = answer_json(line.text, router.ask(line.text))
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if bad else 0


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
