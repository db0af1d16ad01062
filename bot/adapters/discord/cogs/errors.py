"""The one error handler: a short ephemeral explanation for the user, a traceback in the log for us."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.checks import NotModerator, NotOwner

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot

log = logging.getLogger(__name__)


def explain(error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.CommandOnCooldown):
        # A Discord timestamp: the reader's client counts down ("in 12 seconds") in their language.
        again = discord.utils.utcnow() + timedelta(seconds=error.retry_after)
        return f"You're going a little fast: try again {discord.utils.format_dt(again, 'R')}."
    if isinstance(error, NotOwner | NotModerator):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the Manage Server permission for that."
    if isinstance(error, app_commands.TransformerError):
        return f"“{error.value}” is not a valid {error.type.name.lower()} here."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    return "Something went wrong on our side. It has been logged; please try again."


class Errors(commands.Cog):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if not isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("command /%s failed", command, exc_info=error)
        embed = discord.Embed(description=explain(error), colour=discord.Colour.red())
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embed=embed, ephemeral=True)
            else:
                await interaction.response.send_message(embed=embed, ephemeral=True)
        except discord.HTTPException as exc:  # the interaction may have expired; the log has it
            log.warning("could not report an error to the user: %s", exc)


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Errors(bot))
