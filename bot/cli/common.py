"""What several sub-commands share: where the briefing is, and loading it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.briefing.load import LoadResult, load
from bot.briefing.models import Briefing
from bot.config import load_settings


def subcommand(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int], help: str, description: str
) -> argparse.ArgumentParser:
    """`briefbot NAME`, handled by `run`; the caller adds its arguments."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help, description=description)
    parser.set_defaults(handler=run)
    return parser


def folders(args: argparse.Namespace) -> tuple[Path, Path]:
    """The briefing and articles folders: --briefings and --seeds, else the settings."""
    settings = load_settings()
    briefings = Path(args.briefings) if args.briefings else settings.briefing_dir
    return briefings, Path(args.seeds) if args.seeds else settings.seeds_dir


def load_from_args(args: argparse.Namespace) -> LoadResult:
    briefings, seeds = folders(args)
    # Problems name files relative to the folder holding briefings/ (the project root).
    return load(briefings.resolve().parent, briefings, seeds)


def briefing_or_exit(args: argparse.Namespace) -> Briefing:
    """The valid briefing, or the list of problems on stderr and exit status 1."""
    result = load_from_args(args)
    if result.briefing is None or not result.ok:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        print("the briefing is not valid: run `briefbot check`", file=sys.stderr)
        raise SystemExit(1)
    return result.briefing
