"""The registry's commands declared to discord.py: names, descriptions, option descriptions, where
they may be installed and used, and who sees them all come from `bot/commands/registry.py`.

A cog writes only the callback, whose parameters carry Discord's types and ranges; a parameter the
registry does not list (or the reverse) fails when the cog is imported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

import discord
from discord import app_commands

from bot.commands.registry import Audience, Command, Context, Install, Kind, Surface, command, subcommand

Callback = Callable[..., Coroutine[Any, Any, None]]
MessageCallback = Callable[[discord.Interaction, discord.Message], Coroutine[Any, Any, None]]
T = TypeVar("T")


def per_user_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    settings = interaction.client.settings  # type: ignore[attr-defined]
    return app_commands.Cooldown(settings.cooldown_rate, settings.cooldown_seconds)


def slash(name: str) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """A top-level slash command as the registry describes it; reader commands get the per-user cooldown."""
    spec = command(name)

    def declare(callback: Callback) -> app_commands.Command[Any, ..., None]:
        declared = _command(spec, callback)
        if spec.audience is Audience.reader:
            declared = app_commands.checks.dynamic_cooldown(per_user_cooldown)(declared)
        return placed(spec)(declared)

    return declare


def menu(name: str, callback: MessageCallback) -> app_commands.ContextMenu:
    """A message context-menu entry as the registry describes it (Apps → name on any message).

    discord.py cannot declare one inside a cog class: the cog makes it from its bound method and adds
    it to the tree itself."""
    spec = command(name)
    if spec.kind is not Kind.message:
        raise TypeError(f"{name!r} is not a message menu entry in the registry")
    declared = app_commands.ContextMenu(name=spec.name, callback=callback)
    if spec.audience is Audience.reader:
        declared = app_commands.checks.dynamic_cooldown(per_user_cooldown)(declared)
    return placed(spec)(declared)


def sub(group: str, name: str) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """A subcommand of a group cog (Discord places and permits the group as a whole)."""
    spec = subcommand(group, name)
    return lambda callback: _command(spec, callback)


def group(name: str) -> dict[str, str]:
    """The class keywords of a `commands.GroupCog`: `class Digest(GroupCog, **group("digest"))`."""
    spec = command(name)
    return {"group_name": spec.name, "group_description": spec.description}


def placed(spec: Command) -> Callable[[T], T]:
    """Where the command may be installed and used, and whether readers see it (a hint only: the
    cogs check owners and moderators again when the command runs)."""

    def apply(target: T) -> T:
        target = app_commands.allowed_installs(
            guilds=Install.guild in spec.installs, users=Install.user in spec.installs
        )(target)
        if spec.contexts == {Context.guild}:
            target = app_commands.guild_only()(target)
        else:
            target = app_commands.allowed_contexts(
                guilds=Context.guild in spec.contexts,
                dms=Context.bot_dm in spec.contexts,
                private_channels=Context.private_channel in spec.contexts,
            )(target)
        if spec.audience is not Audience.reader:
            target = app_commands.default_permissions(manage_guild=True)(target)
        return target

    return apply


def _command(spec: Command, callback: Callback) -> app_commands.Command[Any, ..., None]:
    params = [p for p in spec.params if p.on(Surface.discord)]
    taken = [p for p in inspect.signature(callback).parameters if p not in ("self", "interaction")]
    if taken != [p.name for p in params]:
        raise TypeError(f"/{spec.name}: the callback takes {taken}, the registry lists {[p.name for p in params]}")
    declared: app_commands.Command[Any, ..., None] = app_commands.command(name=spec.name, description=spec.description)(
        cast(Any, callback)
    )
    if params:
        declared = app_commands.describe(**{p.name: p.description for p in params})(declared)
    return declared
