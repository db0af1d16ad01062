"""The reader's commands: /ask, /brief, /topic, /who, /timeline, /quotes, /sources, /help, and
"Check in briefing" on any message.

Names, descriptions and where they may be used come from the registry (`declare.slash`,
`declare.menu`); each callback hands its argument to the router, which every adapter shares. Readers
may use them where the bot is no member (a user install in a DM or another server): every answer is
an interaction response, and nothing here needs the guild or the channel from the cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.declare import menu, slash
from bot.adapters.discord.views import send_reply
from bot.commands import complete
from bot.limits import CHOICE_CHARS
from bot.reply import Choice

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot

Text = app_commands.Range[str, 1, CHOICE_CHARS]


def choices(options: list[Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=o.name, value=o.value) for o in options]


def message_text(message: discord.Message) -> str:
    """What a message says: its text, a forwarded message's text, its embeds' titles and descriptions.

    Discord hands the target message of a context-menu command over with its content, though the bot
    has no Message Content intent (the intent's documented exception); nothing is fetched."""
    parts = [message.content, *(snapshot.content for snapshot in message.message_snapshots)]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
    return "\n".join(part for part in parts if part and part.strip())


class Reader(commands.Cog):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        self.check_in_briefing = menu("Check in briefing", self.check_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.check_in_briefing)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.check_in_briefing.name, type=self.check_in_briefing.type)

    async def check_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """What the briefing says about the message's claims, shown only to the one who asked."""
        await self._answer(interaction, "verify", message_text(message))

    async def _answer(self, interaction: discord.Interaction, command: str, argument: str = "") -> None:
        await send_reply(interaction, self.bot.router.handle(command, argument), self.bot.settings.view_timeout)

    @slash("ask")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 300]) -> None:
        await self._answer(interaction, "ask", question)

    @ask.autocomplete("question")
    async def _ask_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(complete.questions(self.bot.router.briefing, current))

    @slash("brief")
    async def brief(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "brief")

    @slash("topic")
    async def topic(self, interaction: discord.Interaction, name: Text) -> None:
        await self._answer(interaction, "topic", name)

    @topic.autocomplete("name")
    async def _topic_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(complete.topics(self.bot.router.briefing, current))

    @slash("who")
    async def who(self, interaction: discord.Interaction, name: Text) -> None:
        await self._answer(interaction, "who", name)

    @who.autocomplete("name")
    async def _who_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(complete.entities(self.bot.router.briefing, current))

    @slash("timeline")
    async def timeline(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "timeline")

    @slash("quotes")
    async def quotes(self, interaction: discord.Interaction, speaker: Text | None = None) -> None:
        await self._answer(interaction, "quotes", speaker or "")

    @quotes.autocomplete("speaker")
    async def _speaker_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(complete.entities(self.bot.router.briefing, current, speakers_only=True))

    @slash("sources")
    async def sources(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "sources")

    @slash("help")
    async def help(self, interaction: discord.Interaction) -> None:
        await self._answer(interaction, "help")


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Reader(bot))
