"""Starting the Discord bot, and syncing its commands, from the command line."""

from __future__ import annotations

import asyncio
import sys

import discord

from bot.adapters.discord.client import create_bot, setup_logging
from bot.briefing.models import Briefing
from bot.config import Settings


def run_discord(settings: Settings, briefing: Briefing) -> int:
    setup_logging(settings)
    bot = create_bot(settings, briefing)
    try:
        bot.run(settings.token or "", log_handler=None)
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN: copy the bot token again from the developer portal.", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:  # pragma: no cover - we ask for none
        print("Discord asks for privileged intents, which briefbot does not use.", file=sys.stderr)
        return 1
    return 0


def sync_commands(settings: Settings, briefing: Briefing, guild_id: int | None) -> int:
    async def sync() -> int:
        bot = create_bot(settings, briefing, sync_on_start=False)
        async with bot:
            await bot.login(settings.token or "")
            if guild_id:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"synced {len(synced)} commands to guild {guild_id}: {', '.join(c.name for c in synced)}")
            else:
                synced = await bot.tree.sync()
                print(f"synced {len(synced)} commands globally (Discord may take up to an hour to show them)")
        return 0

    setup_logging(settings)
    try:
        return asyncio.run(sync())
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN: copy the bot token again from the developer portal.", file=sys.stderr)
        return 1
