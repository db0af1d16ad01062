"""`briefbot migrate`: bring the digest database (DATABASE_URL) to the current schema, then exit.

`briefbot run` does the same when it starts; running it first, once, is for deployments where
several bot processes share one database (compose runs it before the bots) and for upgrades.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import subcommand


def register(commands: Any) -> None:
    subcommand(
        commands,
        "migrate",
        run,
        "bring the digest database's schema up to date (the bot also does it at start)",
        "Create or upgrade the digest tables in DATABASE_URL, then exit. Safe to run again.",
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.config import load_settings
    from bot.digest.database import HEAD, open_database

    settings = load_settings()

    async def migrate() -> None:
        database = await open_database(settings.database_url.get_secret_value())  # opening migrates
        await database.dispose()

    asyncio.run(migrate())
    print(f"{settings.database_url}: schema at revision {HEAD}")
    return 0
