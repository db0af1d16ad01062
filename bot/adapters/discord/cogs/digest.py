"""/digest for moderators: subscribe a channel, list, preview, send now, pause, resume, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.checks import can_manage_guild
from bot.adapters.discord.views import send_reply
from bot.digest.commands import error
from bot.digest.compose import MAX_SIZE
from bot.digest.slots import zone_names
from bot.digest.store import utcnow
from bot.reply import Reply

if TYPE_CHECKING:
    from bot.adapters.discord.client import BriefBot

# What the bot needs in a channel to post digests there, and to look for one it may have posted
# before a crash (so that it is never posted twice).
NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
ChannelOption = discord.TextChannel | discord.Thread


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Digest(
    commands.GroupCog, group_name="digest", group_description="Scheduled digests of the briefing (moderators)"
):
    def __init__(self, bot: BriefBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await can_manage_guild(interaction)

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        await send_reply(interaction, reply, self.bot.settings.view_timeout)

    @app_commands.command(name="subscribe", description="Post a digest to a channel on a schedule")
    @app_commands.describe(
        time="Local time, HH:MM on a 24-hour clock, e.g. 08:00",
        timezone="IANA time zone, e.g. Europe/Berlin",
        channel="Where to post (default: this channel)",
        weekdays="daily (default), weekdays, weekends, mon-fri or mon,wed,fri",
        topics="Only these topics, comma separated (default: all)",
        size=f"Snippets per digest, 1 to {MAX_SIZE} (default 5)",
    )
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
        return [app_commands.Choice(name=n, value=n) for n in matches[:25]]

    @subscribe.autocomplete("topics")
    async def _topics(self, _: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        head, _comma, last = current.rpartition(",")
        prefix = f"{head.strip()}, " if head.strip() else ""
        return [
            app_commands.Choice(name=(prefix + c.value)[:100], value=(prefix + c.value)[:100])
            for c in self.bot.router.complete_topics(last.strip())
        ]

    @app_commands.command(name="list", description="This server's digests: next time, status, last delivery")
    async def list(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        await self._send(interaction, await self.bot.digest_commands.list(guild_id))

    @app_commands.command(name="preview", description="What this channel's next digest would hold")
    @app_commands.describe(topics="Only these topics, comma separated", size=f"Snippets, 1 to {MAX_SIZE}")
    async def preview(
        self,
        interaction: discord.Interaction,
        topics: app_commands.Range[str, 1, 200] | None = None,
        size: app_commands.Range[int, 1, MAX_SIZE] | None = None,
    ) -> None:
        channel = interaction.channel_id
        reply = await self.bot.digest_commands.preview(channel, topics, size)
        await self._send(interaction, reply)

    @app_commands.command(name="send-now", description="Post this channel's next digest now")
    async def send_now(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        # Answer Discord at once ("thinking…"); the digest jumps the queue and the answer follows.
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.send_now(target))

    @app_commands.command(name="pause", description="Stop a channel's digest, keeping its settings")
    async def pause(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.pause(target))

    @app_commands.command(name="resume", description="Restart a paused digest from its next slot")
    async def resume(self, interaction: discord.Interaction, channel: ChannelOption | None = None) -> None:
        target = channel.id if channel else interaction.channel_id or 0
        await self._send(interaction, await self.bot.digest_commands.resume(target, utcnow()))

    @app_commands.command(name="remove", description="Remove a channel's digest")
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
