"""`briefbot console`: the offline console, speaking the same commands as Discord."""

from __future__ import annotations

import argparse
import io
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import briefing_or_exit, folders, subcommand
from bot.errors import OperatorError

if TYPE_CHECKING:
    from bot.adapters.console import Console
    from bot.adapters.console_digests import ConsoleDigests


def register(commands: Any) -> None:
    subcommand(
        commands,
        "console",
        run,
        "an interactive prompt with the Discord commands, offline",
        "Try /ask, /brief, /topic, /who, /timeline, /quotes, /sources offline, as plain text.",
    )


def build(args: argparse.Namespace) -> tuple[Console, ConsoleDigests]:
    """The console with every console command of the registry wired (its digests not yet started)."""
    from bot.adapters.console import Console, default_history
    from bot.adapters.console_digests import ConsoleDigests
    from bot.adapters.text import render_text
    from bot.commands.reload import Reloader
    from bot.config import load_settings
    from bot.router import Router

    settings = load_settings()
    console = Console(Router(briefing_or_exit(args)), history=default_history())
    briefings, seeds = folders(args)
    reloader = Reloader(lambda: console.router, console.serve, briefings, seeds)
    console.extra["reload"] = lambda _: render_text(reloader.reload_here()) + "\n"
    digests = ConsoleDigests(
        settings.database_url.get_secret_value(),
        lambda: console.router,
        console.out,
        settings.digest_tick_seconds,
    )
    console.extra["digest"] = digests.handle
    return console, digests


def run(args: argparse.Namespace) -> int:
    # Bytes that are not UTF-8 are a mistake to report, not text to guess at (Python would otherwise
    # smuggle them through as surrogates under a C locale).
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="strict")
    from bot.digest.database import StoreUnavailable

    console, digests = build(args)
    try:
        digests.start()
    except StoreUnavailable as exc:
        raise OperatorError(str(exc)) from None
    try:
        return console.run()
    except UnicodeDecodeError as exc:
        raise OperatorError(
            f"standard input is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}): type or pipe UTF-8 text"
        ) from None
    finally:
        digests.stop()
