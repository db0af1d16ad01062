"""`briefbot brief`, `briefbot who NAME`, `briefbot verify CLAIM` …: the reader commands the registry
offers on the command line (Surface.cli), one sub-command each, answered by the router as text.

`briefbot ask` has its own module (JSON and batches). A suggestion in a reply names these commands,
never one that exists only in the console or on Discord.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.adapters.lines import decode_line, text_problem
from bot.cli.common import briefing_or_exit, subcommand
from bot.commands.registry import Surface, on

# `briefbot verify -` reads the claim from stdin: a whole message, of any length.
STDIN = "-"


def register(commands: Any) -> None:
    for entry in on(Surface.cli):
        if entry.name == "ask":
            continue
        usage = f"{entry.usage(Surface.cli)}: {entry.summary}."
        parser = subcommand(commands, entry.name, run, entry.description, usage)
        parser.set_defaults(reader_command=entry.name, words=[])
        for param in (p for p in entry.params if p.on(Surface.cli)):
            extra = " ('-' reads it from stdin)" if entry.name == "verify" else ""
            # The router decides what an empty argument means, as in the console (`topic` alone lists
            # the topics, which is what a refusal suggests when no topic is close).
            parser.add_argument("words", metavar=param.name, nargs="*", help=param.description + extra)


def run(args: argparse.Namespace) -> int:
    name: str = args.reader_command
    text = " ".join(args.words)
    if name == "verify" and text == STDIN:
        line = decode_line(1, sys.stdin.buffer.read())
        if line.text is None:
            print(f"briefbot verify: stdin is {line.problem}", file=sys.stderr)
            return 2
        text = line.text
    problem = text_problem(text)
    if problem:
        print(f"briefbot {name}: the argument is {problem}", file=sys.stderr)
        return 2
    # Imported when a command runs: `briefbot --help` loads none of the router, pydantic or numpy.
    from bot.adapters.text import render_text
    from bot.reply import ReplyKind
    from bot.router import Router

    reply = Router(briefing_or_exit(args), Surface.cli, cached=True).handle(name, text)
    print(render_text(reply, surface=Surface.cli))
    return 1 if reply.kind is ReplyKind.error else 0
