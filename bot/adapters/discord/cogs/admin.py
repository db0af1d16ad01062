"""Owners' commands: /reload re-reads briefings/; on any error the live briefing stays."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.checks import is_owner
from bot.adapters.discord.views import send_reply
from bot.briefing.load import load
from bot.router import reload_report

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot


class Admin(commands.Cog):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="reload", description="Reload briefings/ (bot owners); on errors the live briefing stays"
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(is_owner)
    async def reload(self, interaction: discord.Interaction) -> None:
        # Loading verifies every quote: allow for more than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = self.bot.settings
        result = await asyncio.to_thread(
            load, settings.briefing_dir.resolve().parent, settings.briefing_dir, settings.seeds_dir
        )
        previous = self.bot.router.briefing.version
        if result.ok and result.briefing is not None:
            self.bot.set_briefing(result.briefing)
        await send_reply(interaction, reload_report(result, previous), settings.view_timeout)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Admin(bot))
