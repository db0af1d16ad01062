"""The reader's commands: /ask, /brief, /topic, /who, /timeline, /quotes, /sources, /help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.views import send_reply
from bot.reply import Choice, Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot


def per_user_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    settings = interaction.client.settings  # type: ignore[attr-defined]
    return app_commands.Cooldown(settings.cooldown_rate, settings.cooldown_seconds)


def choices(options: list[Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=o.name, value=o.value) for o in options]


class Reader(commands.Cog):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        await send_reply(interaction, reply, self.bot.settings.view_timeout)

    @app_commands.command(name="ask", description="Ask about the Kim–Putin summit; the answer cites the articles")
    @app_commands.describe(question="Keywords or a question, e.g. where did Kim and Putin meet?")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 300]) -> None:
        await self._send(interaction, self.bot.router.ask(question))

    @ask.autocomplete("question")
    async def _ask_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(self.bot.router.complete_questions(current))

    @app_commands.command(name="brief", description="The summit in 60 seconds: the key points, each sourced")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def brief(self, interaction: discord.Interaction) -> None:
        await self._send(interaction, self.bot.router.brief())

    @app_commands.command(name="topic", description="Everything the briefing says on one topic")
    @app_commands.describe(name="A topic, e.g. sanctions")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def topic(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await self._send(interaction, self.bot.router.topic(name))

    @topic.autocomplete("name")
    async def _topic_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(self.bot.router.complete_topics(current))

    @app_commands.command(name="who", description="A person, place or organisation: role and what they did or said")
    @app_commands.describe(name="A name in any spelling, e.g. Choe Sun Hui")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def who(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await self._send(interaction, self.bot.router.who(name))

    @who.autocomplete("name")
    async def _who_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(self.bot.router.complete_entities(current))

    @app_commands.command(name="timeline", description="Events in order, with the time as the articles give it")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def timeline(self, interaction: discord.Interaction) -> None:
        await self._send(interaction, self.bot.router.timeline())

    @app_commands.command(name="quotes", description="Notable quotes, optionally from one speaker")
    @app_commands.describe(speaker="Only quotes from this person or body")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def quotes(
        self, interaction: discord.Interaction, speaker: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        await self._send(interaction, self.bot.router.quotes(speaker or ""))

    @quotes.autocomplete("speaker")
    async def _speaker_choices(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(self.bot.router.complete_entities(current, speakers_only=True))

    @app_commands.command(name="sources", description="The five articles behind the briefing, and what each covers")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def sources(self, interaction: discord.Interaction) -> None:
        await self._send(interaction, self.bot.router.sources())

    @app_commands.command(name="help", description="What briefbot can do")
    async def help(self, interaction: discord.Interaction) -> None:
        await self._send(interaction, self.bot.router.help())


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Reader(bot))
