"""The `briefbot` command line: one sub-command per module in this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import ask, check, console, digest, export, read, run, sync


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Briefs people on the September 2023 Kim Jong Un – Vladimir Putin summit.",
    )
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    parser.add_argument(
        "--briefings", metavar="DIR", help="the briefing folder (default: BRIEFING_DIR, else the project's briefings/)"
    )
    parser.add_argument(
        "--seeds", metavar="DIR", help="the articles folder (default: SEEDS_DIR, else the project's seeds/)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (run, console, ask, read, check, export, digest, sync):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
