"""The Discord bot: settings in, slash commands registered, the briefing served through the router."""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord.sender import DiscordDigestSender
from bot.briefing.models import Briefing
from bot.commands.registry import Surface
from bot.commands.reload import settle
from bot.config import Settings
from bot.digest.commands import DigestCommands
from bot.digest.service import DigestService, digest_settings
from bot.digest.store import Scope, Store
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
        self.digests: DigestService | None = None
        self.digest_sender: DiscordDigestSender | None = None
        self._digest_commands: DigestCommands | None = None
        self._digests_running = False

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
        # What start-up built lives as long as the process: out of the cyclic collector's full passes,
        # which otherwise stop the event loop for about 200 ms every half minute during a digest
        # burst (measured; see bot/commands/reload.py).
        settle()

    async def _start_digests(self) -> None:
        """The store (migrated), the sender and the delivery pipeline with its scheduler."""
        settings = self.settings
        store = await Store.open(settings.database_url.get_secret_value())
        self.digest_sender = DiscordDigestSender(
            token=self.http.token or settings.token or "",
            bot_user_id=lambda: self.user.id if self.user else None,
            timeout=settings.digest_send_timeout,
            user_agent=self.http.user_agent,
        )
        self.digests = DigestService(
            store, lambda: self.router, self.digest_sender, scope=self.digest_scope, settings=digest_settings(settings)
        )
        self._digest_commands = DigestCommands(self.digests)
        await self.digests.start()
        self._digests_running = True

    @property
    def digest_scope(self) -> Scope:
        """Each process schedules the guilds on its own shards; the console's guild is never Discord's."""
        ids = self.settings.shard_ids
        return Scope(shard_count=self.settings.shard_count, shard_ids=tuple(ids) if ids is not None else None)

    def schedules_guild(self, guild_id: int) -> bool:
        return self.digest_scope.includes(guild_id)

    async def close(self) -> None:
        digests, self._digests_running = (self.digests if self._digests_running else None), False
        if digests is not None:
            await digests.stop()
        await super().close()
        if digests is not None:
            if self.digest_sender is not None:
                await self.digest_sender.close()
            await digests.store.close()

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
