"""`briefbot console`: the offline console, speaking the same commands as Discord."""

from __future__ import annotations

import argparse
from typing import Any

from bot.adapters.console import Console, default_history
from bot.cli.common import briefing_or_exit
from bot.router import Router


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "console",
        help="an interactive prompt with the Discord commands, offline",
        description="Try /ask, /brief, /topic, /who, /timeline, /quotes, /sources offline, as plain text.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return Console(Router(briefing_or_exit(args)), history=default_history()).run()
