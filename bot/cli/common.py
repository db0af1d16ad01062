"""What several sub-commands share: where the briefing is, and loading it."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.briefing.load import LoadResult, load
from bot.config import load_settings


def load_from_args(args: argparse.Namespace) -> LoadResult:
    settings = load_settings()
    briefings = Path(args.briefings) if args.briefings else settings.briefing_dir
    seeds = Path(args.seeds) if args.seeds else settings.seeds_dir
    # Problems name files relative to the folder holding briefings/ (the project root).
    return load(briefings.resolve().parent, briefings, seeds)
