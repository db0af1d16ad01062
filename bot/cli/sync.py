"""`briefbot sync [--guild ID]`: register the slash commands with Discord, on demand."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import briefing_or_exit, subcommand
from bot.errors import OperatorError


def register(commands: Any) -> None:
    parser = subcommand(
        commands,
        "sync",
        run,
        "register the slash commands with Discord (globally, or to one guild)",
        "Global sync can take up to an hour to show; a guild sync shows at once. The bot never "
        "syncs globally by itself.",
    )
    parser.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only (instant)")


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    settings = load_settings()
    if not settings.token:
        raise OperatorError("set DISCORD_TOKEN first (environment or .env)", 2)
    from bot.adapters.discord.run import sync_commands

    return sync_commands(settings, briefing_or_exit(args), args.guild)
