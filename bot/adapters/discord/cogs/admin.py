"""Owners' commands: /reload rebuilds the briefing off the event loop; on any error the live one stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.checks import is_owner
from bot.adapters.discord.declare import slash
from bot.adapters.discord.views import send_reply
from bot.commands.reload import Reloader

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot


class Admin(commands.Cog):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.reloader = Reloader(lambda: bot.router, bot.serve, settings.briefing_dir, settings.seeds_dir)

    @slash("reload")
    @app_commands.check(is_owner)
    async def reload(self, interaction: discord.Interaction) -> None:
        # A large briefing takes longer than Discord's 3 seconds to load and verify.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await self.reloader.reload(), self.bot.settings.view_timeout)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Admin(bot))
