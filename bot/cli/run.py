"""`briefbot run`: Discord when a token is configured, the offline console otherwise."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import console
from bot.cli.common import briefing_or_exit, subcommand


def register(commands: Any) -> None:
    subcommand(
        commands,
        "run",
        run,
        "run the bot: on Discord with DISCORD_TOKEN set, else the offline console",
        "Run the bot on Discord when DISCORD_TOKEN is set (environment or .env); otherwise the console.",
    )


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings()
    if not settings.token:
        print(
            "No DISCORD_TOKEN set: starting the offline console. "
            "To connect to Discord, put DISCORD_TOKEN=… in the environment or .env (see README).",
            file=sys.stderr,
        )
        return console.run(args)
    from bot.adapters.discord.run import run_discord  # discord.py loads only when it is used

    return run_discord(settings, briefing_or_exit(args))
