"""/digest for moderators: subscribe a channel, list, preview, send now, pause, resume, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.checks import can_manage_guild
from bot.adapters.discord.declare import group, placed, sub
from bot.adapters.discord.views import send_reply
from bot.commands import complete
from bot.commands.registry import command
from bot.digest.commands import error
from bot.digest.compose import MAX_SIZE
from bot.digest.slots import zone_names
from bot.digest.store import utcnow
from bot.limits import CHOICE_CHARS, CHOICES
from bot.reply import Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot

# What the bot needs in a channel to post digests there, and to look for one it may have posted
# before a crash (so that it is never posted twice).
NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
ChannelOption = discord.TextChannel | discord.Thread


@placed(command("digest"))
class Digest(commands.GroupCog, **group("digest")):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await can_manage_guild(interaction)

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        await send_reply(interaction, reply, self.bot.settings.view_timeout)

    @sub("digest", "subscribe")
    async def subscribe(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 3, 5],
        timezone: app_commands.Range[str, 1, 64],
        channel: ChannelOption | None = None,
        weekdays: app_commands.Range[str, 1, 40] | None = None,
        topics: app_commands.Range[str, 1, 200] | None = None,
        size: app_commands.Range[int, 1, MAX_SIZE] | None = None,
    ) -> None:
        target = channel.id if channel else interaction.channel_id
        guild = interaction.guild
        if target is None or guild is None:
            await self._send(interaction, error("Use /digest in a server channel."))
            return
        missing = await self._missing_permissions(interaction, target)
        if missing:
            await self._send(interaction, error(f"The bot cannot post digests in <#{target}>: it lacks {missing}."))
            return
        reply = await self.bot.digest_commands.subscribe(
            guild_id=guild.id, channel_id=target, at=time, zone=timezone, weekdays=weekdays, topics=topics,
            size=size, by=interaction.user.id, now=utcnow(),
        )  # fmt: skip
        await self._send(interaction, reply)

    @subscribe.autocomplete("timezone")
    async def _zones(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        typed = current.lower().replace(" ", "_")
        names = sorted(zone_names())
        matches = [n for n in names if n.lower().startswith(typed)] + [
            n for n in names if typed in n.lower() and not n.lower().startswith(typed)
        ]
        return [app_commands.Choice(name=n, value=n) for n in matches[:CHOICES]]

    @subscribe.autocomplete("topics")
    async def _topics(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        head, _comma, last = current.rpartition(",")
        prefix = f"{head.strip()}, " if head.strip() else ""
        return [
            app_commands.Choice(name=(prefix + c.value)[:CHOICE_CHARS], value=(prefix + c.value)[:CHOICE_CHARS])
            for c in complete.topics(self.bot.router.briefing, last.strip())
        ]

    @sub("digest", "list")
    async def list(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        await self._send(interaction, await self.bot.digest_commands.list(guild_id))

    @sub("digest", "preview")
    async def preview(
        self,
        interaction: discord.Interaction,
        topics: app_commands.Range[str, 1, 200] | None = None,
        size: app_commands.Range[int, 1, MAX_SIZE] | None = None,
    ) -> None:
        channel = interaction.channel_id
        reply = await self.bot.digest_commands.preview(channel, topics, size)
        await self._send(interaction, reply)

    @sub("digest", "send-now")
    async def send_now(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        # Answer Discord at once ("thinking…"); the digest jumps the queue and the answer follows.
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.send_now(target))

    @sub("digest", "pause")
    async def pause(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.pause(target))

    @sub("digest", "resume")
    async def resume(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.resume(target, utcnow()))

    @sub("digest", "remove")
    async def remove(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.remove(target))

    async def _missing_permissions(self, interaction: discord.Interaction, channel_id: int) -> str | None:
        """What the bot lacks to post in the channel, from Discord's own view of its permissions."""
        have = interaction.app_permissions
        if channel_id != interaction.channel_id or not have.value:
            guild = interaction.guild
            channel = guild.get_channel_or_thread(channel_id) if guild else None
            if guild is None or channel is None or self.bot.user is None:
                return "access to that channel"
            try:
                member = guild.me or await guild.fetch_member(self.bot.user.id)
            except discord.HTTPException:
                return None  # cannot tell; the first delivery pauses the digest with Discord's reason
            have = channel.permissions_for(member)
        lacking = [name.replace("_", " ").title() for name, value in NEEDED if value and not getattr(have, name)]
        return ", ".join(lacking) or None


async def setup(bot: BriefBot) -> None:
    await bot.add_cog(Digest(bot))
