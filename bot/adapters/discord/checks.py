"""Checks shared by cogs. A plain module: discord.py re-executes extension modules when it loads
them, so a class defined in one extension is not the same class when another imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot


class NotOwner(app_commands.CheckFailure):
    pass


async def is_owner(interaction: discord.Interaction) -> bool:
    bot: BriefBot = interaction.client  # type: ignore[assignment]
    if interaction.user.id in bot.settings.owner_ids or await bot.is_owner(interaction.user):
        return True
    raise NotOwner("Only the bot's owners can reload the briefing.")


class NotModerator(app_commands.CheckFailure):
    pass


async def can_manage_guild(interaction: discord.Interaction) -> bool:
    """default_permissions only hides a command in the client; Discord's member permissions decide."""
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        return True
    raise NotModerator("Digests are for moderators: you need the Manage Server permission.")
