"""`briefbot console`: the offline console, speaking the same commands as Discord."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.adapters.console import Console, default_history
from bot.adapters.console_digests import ConsoleDigests
from bot.cli.common import briefing_or_exit
from bot.config import load_settings
from bot.digest.database import StoreUnavailable
from bot.router import Router


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "console",
        help="an interactive prompt with the Discord commands, offline",
        description="Try /ask, /brief, /topic, /who, /timeline, /quotes, /sources offline, as plain text.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    router = Router(briefing_or_exit(args))
    console = Console(router, history=default_history())
    digests = ConsoleDigests(settings.database_url, lambda: router, console.out, settings.digest_tick_seconds)
    console.extra["digest"] = digests.handle
    try:
        digests.start()
    except StoreUnavailable as exc:
        print(f"briefbot console: {exc}", file=sys.stderr)
        return 1
    try:
        return console.run()
    finally:
        digests.stop()
