"""`briefbot ask "question"`: answer from the command line, as text or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import Any, BinaryIO

from bot.adapters.lines import read_lines, text_problem
from bot.adapters.text import answer_json, render_text
from bot.cli.common import briefing_or_exit, subcommand
from bot.commands.registry import Surface
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
        print(f"briefbot ask: the question is {problem}", file=sys.stderr)
        return 2
    router = Router(briefing_or_exit(args), Surface.cli)
    if args.batch is None:
        reply = router.ask(question)
        if args.json:
            print(json.dumps(answer_json(question, reply), ensure_ascii=False))
        else:
            print(render_text(reply, surface=Surface.cli))
        return 0
    with ExitStack() as stack:
        stream: BinaryIO = sys.stdin.buffer if args.batch == "-" else stack.enter_context(open(args.batch, "rb"))
        return batch(router, stream)


def batch(router: Router, stream: BinaryIO) -> int:
    """One JSON object per input line, in order (a blank line gets an unanswered object), flushed each
    time so a caller can stream questions through one process. Lines end at "\\n" only; a line that is
    not UTF-8 is named on stderr and gets an unanswered object, and the exit status is then 1."""
    bad = 0
    for line in read_lines(stream):
        if line.text is None:
            bad += 1
            print(f"briefbot ask: {line.problem}", file=sys.stderr)
            document = {"query": "", "answered": False, "results": [], "suggestions": []}
        else:
            document = answer_json(line.text, router.ask(line.text))
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if bad else 0
