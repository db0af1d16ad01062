"""`briefbot ask "question"`: answer from the command line, as text or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.adapters.text import answer_json, render_text
from bot.cli.common import briefing_or_exit, subcommand
from bot.router import Router


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
    router = Router(briefing_or_exit(args))
    if args.batch is None:
        reply = router.ask(question)
        if args.json:
            print(json.dumps(answer_json(question, reply), ensure_ascii=False))
        else:
            print(render_text(reply))
        return 0
    stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
    with stream:
        # One JSON object per input line, in order (a blank line gets an unanswered object),
        # flushed each time so a caller can stream questions through one process.
        for line in stream:
            query = line.rstrip("\r\n")
            reply = router.ask(query)
            sys.stdout.write(json.dumps(answer_json(query, reply), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return 0
