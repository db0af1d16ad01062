"""`briefbot run`: Discord when a token is configured, the offline console otherwise."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bot.cli import console


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="run the bot: on Discord with DISCORD_TOKEN set, else the offline console",
        description="Run the bot on Discord when DISCORD_TOKEN is set (environment or .env); otherwise the console.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not os.environ.get("DISCORD_TOKEN"):
        print(
            "No DISCORD_TOKEN set: starting the offline console. "
            "To connect to Discord, put DISCORD_TOKEN=… in the environment or .env (see README).",
            file=sys.stderr,
        )
        return console.run(args)
    print("The Discord adapter is not built yet (issue 4); unset DISCORD_TOKEN to use the console.", file=sys.stderr)
    return 1
