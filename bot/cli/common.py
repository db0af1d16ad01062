"""What several sub-commands share: where the briefing is, and loading it.

Imports of the briefing's loader and of the settings happen when a command runs, not when the
parser is built, so that each command pays only for what it uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import OperatorError

if TYPE_CHECKING:
    from bot.briefing.load import LoadResult
    from bot.briefing.models import Briefing


def subcommand(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int], help: str, description: str
) -> argparse.ArgumentParser:
    """`briefbot NAME`, handled by `run`; the caller adds its arguments."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help, description=description)
    parser.set_defaults(handler=run)
    return parser


def folders(args: argparse.Namespace) -> tuple[Path, Path]:
    """The briefing and articles folders: --briefings and --seeds, else the settings."""
    from bot.config import load_settings

    settings = load_settings()
    briefings = Path(args.briefings) if args.briefings else settings.briefing_dir
    return briefings, Path(args.seeds) if args.seeds else settings.seeds_dir


def existing_folders(args: argparse.Namespace) -> tuple[Path, Path]:
    """`folders`, or an OperatorError naming the flag or setting that gives a folder that is not there."""
    chosen = folders(args)
    for path, flag, setting, holds in zip(
        chosen, ("--briefings", "--seeds"), ("BRIEFING_DIR", "SEEDS_DIR"), ("briefing", "articles"), strict=True
    ):
        if not path.is_dir():
            source = flag if getattr(args, flag[2:], None) else setting
            problem = "does not exist" if not path.exists() else "is not a folder"
            raise OperatorError(f"{source}: {path} {problem}; give the folder that holds the {holds}")
    return chosen


def load_from_args(args: argparse.Namespace) -> LoadResult:
    from bot.briefing.load import load

    briefings, seeds = folders(args)
    # Problems name files relative to the folder holding briefings/ (the project root).
    return load(briefings.resolve().parent, briefings, seeds)


def briefing_or_exit(args: argparse.Namespace) -> Briefing:
    """The valid briefing (from the cache when its files are unchanged since they were last verified:
    bot/briefing/cache.py), or the list of problems on stderr and exit status 1."""
    from bot.briefing import cache

    briefings, seeds = existing_folders(args)
    files = cache.key(briefings, seeds)
    known = cache.read(briefings, seeds, files)
    if known is not None:
        return known
    from bot.briefing.load import load  # the parser and the verifier, only when the files changed

    result = load(briefings.resolve().parent, briefings, seeds)
    if result.briefing is None or not result.ok:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        print("the briefing is not valid: run `briefbot check`", file=sys.stderr)
        raise SystemExit(1)
    cache.write(briefings, seeds, files, result.briefing)
    return result.briefing
