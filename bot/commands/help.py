"""/help: the commands of the surface the reader is on, from the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands.registry import Audience, Command, Surface, on
from bot.reply import Item, Reply, ReplyKind

if TYPE_CHECKING:
    from bot.router import Router

# Who may use a command on Discord; at the console, whoever runs it may use them all.
WHO = {Audience.reader: "", Audience.moderator: " (moderators)", Audience.owner: " (bot owners)"}


def help_reply(router: Router, _: str = "") -> Reply:
    return Reply(
        command="help",
        kind=ReplyKind.help,
        title="briefbot: the Kim Jong Un – Vladimir Putin summit, September 2023",
        description="Every answer comes from five news articles and cites them. Ask in keywords or plain English.",
        items=tuple(_item(c, router.surface) for c in on(router.surface)),
        suggestions=("/brief", "/ask where did Kim and Putin meet?"),
        ephemeral=True,
    )


def _item(command: Command, surface: Surface) -> Item:
    who = WHO[command.audience] if surface is Surface.discord else ""
    if not command.subcommands:
        return Item(id=command.name, title=command.usage(surface) + who, text=command.summary)
    lines = [f"{sub.usage(surface, prefix=f'/{command.name} ')}: {sub.description}" for sub in command.subcommands]
    return Item(id=command.name, title=f"/{command.name}{who}", text="\n".join(lines))
