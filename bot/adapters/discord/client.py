"""The Discord bot: settings in, slash commands registered, the briefing served through the router."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, timedelta
from typing import Any

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord.render import digest_embed
from bot.briefing.models import Briefing
from bot.commands.registry import Surface
from bot.commands.reload import settle
from bot.config import Settings
from bot.digest.commands import DigestCommands
from bot.digest.service import DeliveryFailed, DeliveryRefused, DigestService
from bot.digest.store import Store
from bot.reply import Reply
from bot.router import Router

log = logging.getLogger("briefbot")

EXTENSIONS = (
    "bot.adapters.discord.cogs.errors",
    "bot.adapters.discord.cogs.reader",
    "bot.adapters.discord.cogs.admin",
    "bot.adapters.discord.cogs.digest",
)


class BriefBot(commands.Bot):
    """Slash commands only: no message content, no privileged intents, and no message can ping."""

    def __init__(self, settings: Settings, briefing: Briefing, *, sync_on_start: bool = True, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # guild and channel data for interactions; not privileged
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.router = Router(briefing, Surface.discord)
        self.sync_on_start = sync_on_start
        self.scheduler: AsyncIOScheduler | None = None
        self.digests: DigestService | None = None
        self._digest_commands: DigestCommands | None = None

    @property
    def digest_commands(self) -> DigestCommands:
        if self._digest_commands is None:
            raise RuntimeError("digests start in setup_hook")
        return self._digest_commands

    async def setup_hook(self) -> None:
        await self._start_digests()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.dev_guild_id
        if self.sync_on_start and guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        settle()  # what start-up built lives as long as the process (see bot/commands/reload.py)

    async def _start_digests(self) -> None:
        """The store, the delivery service and one APScheduler tick job (see DESIGN.md)."""
        store = await asyncio.to_thread(Store.open, self.settings.database_url.get_secret_value())
        self.digests = DigestService(
            store,
            lambda: self.router,
            self.post_digest,
            grace=timedelta(minutes=self.settings.digest_grace_minutes),
            mine=self.schedules_guild,
            checkpoint=_crash_point(self.settings.crash_at),
        )
        self._digest_commands = DigestCommands(self.digests)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.settings.digest_tick_seconds, timezone=UTC),
            id="digest-tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.start()
        # Digests claimed before a crash are re-sent (same nonce) before anything new.
        self.loop.create_task(self._recover())

    async def _recover(self) -> None:
        if self.digests is not None:
            sent = await self.digests.recover()
            if sent:
                log.info("re-sent %d digests claimed before the last stop", sent)
            await self._tick()

    async def _tick(self) -> None:
        if self.digests is not None:
            await self.digests.tick()

    def schedules_guild(self, guild_id: int) -> bool:
        """Each process schedules the guilds on its own shards; guild 0 is the console's."""
        if guild_id == 0:
            return False
        count, ids = self.settings.shard_count, self.settings.shard_ids
        if not count or ids is None:
            return True
        return (guild_id >> 22) % count in ids

    async def post_digest(self, channel_id: int, reply: Reply, nonce: str) -> int:
        channel = self.get_partial_messageable(channel_id)
        try:
            message = await channel.send(embed=digest_embed(reply), nonce=nonce)
        except discord.Forbidden as exc:
            raise DeliveryRefused(
                f"the bot may not post in <#{channel_id}> (403: {exc.text or 'Missing Access'}); "
                "give it View Channel, Send Messages and Embed Links, then /digest resume"
            ) from exc
        except discord.NotFound as exc:
            raise DeliveryRefused(
                f"<#{channel_id}> no longer exists or the bot cannot see it (404: {exc.text or 'Unknown Channel'})"
            ) from exc
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"Discord answered {exc.status}") from exc
        return message.id

    async def close(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()
        if self.digests is not None:
            self.digests.store.engine.dispose()

    def serve(self, router: Router) -> None:
        """Serve a router built elsewhere (off the event loop, see /reload): one assignment."""
        self.router = router

    async def on_ready(self) -> None:
        user = self.user
        log.info("logged in as %s (%s) in %d guilds", user, user.id if user else "?", len(self.guilds))


class ShardedBriefBot(BriefBot, commands.AutoShardedBot):
    """The same bot over several shards in one process (AutoShardedBot)."""


def create_bot(settings: Settings, briefing: Briefing, *, sync_on_start: bool = True, **options: Any) -> BriefBot:
    """The bot for these settings; `options` go to discord.py's client (tests shorten timeouts)."""
    configure_endpoints(settings)
    if settings.shard_count is None and settings.shard_ids is None:
        return BriefBot(settings, briefing, sync_on_start=sync_on_start, **options)
    bot = ShardedBriefBot(
        settings,
        briefing,
        sync_on_start=sync_on_start,
        shard_count=settings.shard_count,
        shard_ids=settings.shard_ids,
        **options,
    )
    if settings.discord_gateway_url:
        _use_configured_gateway(bot, settings.discord_gateway_url)
    return bot


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at another REST base (a rate-limit proxy, a test server) and gateway."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _use_configured_gateway(bot: BriefBot, url: str) -> None:
    """AutoShardedBot asks /gateway/bot for its URL; a configured gateway URL wins."""
    original = bot.http.get_bot_gateway

    async def get_bot_gateway() -> Any:
        shards, _, limits = await original()
        return shards, url, limits

    bot.http.get_bot_gateway = get_bot_gateway  # type: ignore[method-assign]


def _crash_point(where: str | None) -> Any:
    """Fault injection for the crash tests: die with SIGKILL at the named point, as a power cut would."""

    def checkpoint(point: str) -> None:
        if point == where:
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint
