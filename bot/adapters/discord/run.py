"""Starting the Discord bot, and syncing its commands, from the command line.

Where the token goes is logged at start. What goes wrong on the way to Discord (a refused token, no
network, a proxy that is not there, a development guild the bot is not in) becomes an
`OperatorError` saying what to do. SIGTERM and SIGINT close the bot cleanly (digests in flight,
the database, the gateway) and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.voice_client import VoiceClient

from bot.adapters.discord.client import BriefBot, create_bot
from bot.briefing.models import Briefing
from bot.config import Settings, is_loopback
from bot.errors import OperatorError
from bot.logs import setup_logging

log = logging.getLogger("briefbot")

# How long the gateway may take to accept a TCP connection before start-up gives up.
GATEWAY_CONNECT_SECONDS = 10.0


def run_discord(settings: Settings, briefing: Briefing) -> int:
    _prepare(settings)
    bot = create_bot(settings, briefing)
    with discord_failures(settings):
        asyncio.run(_serve(bot, settings))
    return 0


async def _serve(bot: BriefBot, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stopping.append(loop.create_task(bot.close())))
    async with bot, _status(bot, settings):
        await bot.login(settings.token or "")
        await gateway_reachable(settings)
        await bot.connect(reconnect=True)
    for task in stopping:
        await task


@contextlib.asynccontextmanager
async def _status(bot: BriefBot, settings: Settings) -> Any:
    """/healthz and /metrics at HTTP_ADDRESS while the bot runs (nothing when it is unset)."""
    if not settings.http_address:
        yield None
        return
    from bot.adapters.discord.status import StatusServer

    server = StatusServer(bot)
    await server.start(settings.http_address)
    try:
        yield server
    finally:
        await server.stop()


def sync_commands(settings: Settings, briefing: Briefing, guild_id: int | None) -> int:
    async def sync() -> int:
        bot = create_bot(settings, briefing, sync_on_start=False)
        async with bot:
            await bot.login(settings.token or "")
            if guild_id:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"synced {len(synced)} commands to guild {guild_id}: {', '.join(c.name for c in synced)}")
            else:
                synced = await bot.tree.sync()
                print(f"synced {len(synced)} commands globally (Discord may take up to an hour to show them)")
        return 0

    _prepare(settings)
    with discord_failures(settings, guild_id):
        return asyncio.run(sync())
    return 1  # pragma: no cover - discord_failures raises instead


def _prepare(settings: Settings) -> None:
    setup_logging(settings.log_level, settings.secrets)
    VoiceClient.warn_nacl = VoiceClient.warn_dave = False  # briefbot has no voice: no warning about it
    gateway = _gateway_url(settings)
    where = f"{gateway.scheme}://{gateway.host}:{gateway.port}"
    log.info("the bot token goes to %s (REST) and %s (gateway)", settings.token_host, where)
    for name, url in (("DISCORD_API_BASE", settings.api_base), ("DISCORD_GATEWAY_URL", settings.discord_gateway_url)):
        parts = yarl.URL(url) if url else None
        if parts is not None and parts.scheme in ("http", "ws") and not is_loopback(parts.host):
            log.warning(
                "%s is plain %s to %s: the token crosses the network unencrypted (DISCORD_ALLOW_PLAIN_HTTP=true); "
                "keep that network private",
                name,
                parts.scheme,
                parts.host,
            )


def _gateway_url(settings: Settings) -> yarl.URL:
    return yarl.URL(settings.discord_gateway_url) if settings.discord_gateway_url else DiscordWebSocket.DEFAULT_GATEWAY


async def gateway_reachable(settings: Settings) -> None:
    """Start-up stops with what to do when the gateway cannot be reached at all; discord.py would
    otherwise retry for ever. Once connected, reconnecting after a network failure is its job."""
    url = _gateway_url(settings)
    host, port = url.host or "", url.port or 443
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), GATEWAY_CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        setting = "DISCORD_GATEWAY_URL" if settings.discord_gateway_url else "this machine's network and DNS"
        raise OperatorError(
            f"cannot reach Discord's gateway at {host}:{port} ({_reason(exc)}): check {setting}"
        ) from None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


@contextlib.contextmanager
def discord_failures(settings: Settings, guild_id: int | None = None) -> Iterator[None]:
    """Discord's and the network's failures at start-up, as what the operator can do about them."""
    rest = yarl.URL(settings.api_base or "https://discord.com")
    where = f"{rest.host}:{rest.port}"
    check = "DISCORD_API_BASE (is the proxy running?)" if settings.api_base else "this machine's network and DNS"
    try:
        yield
    except discord.LoginFailure:
        raise OperatorError(
            "Discord refused DISCORD_TOKEN (401 Unauthorized): it is wrong, or was reset. "
            "Copy the token again from the developer portal (Bot → Reset Token)."
        ) from None
    except discord.PrivilegedIntentsRequired:  # pragma: no cover - we ask for none
        raise OperatorError("Discord asks for privileged intents, which briefbot does not use.") from None
    except discord.ConnectionClosed as exc:
        raise OperatorError(_closed(exc.code)) from None
    except discord.GatewayNotFound:
        raise OperatorError("Discord did not say where its gateway is (an outage?): try again later") from None
    except discord.Forbidden as exc:
        guild = guild_id or settings.dev_guild_id
        if guild and f"/guilds/{guild}/" in str(exc.response.url):
            source = "--guild" if guild_id else "DEV_GUILD_ID"
            raise OperatorError(
                f"{source}={guild}: Discord refused to sync the commands there (403: {exc.text or 'Missing Access'}); "
                "invite the bot to that server with the applications.commands scope, or give another server"
            ) from None
        raise OperatorError(f"Discord refused a request at start (403: {exc.text}): check the bot's rights") from None
    except discord.DiscordServerError as exc:
        raise OperatorError(f"Discord answered {exc.status} at {where}: its side is failing; try again later") from None
    except aiohttp.ClientConnectorError as exc:
        raise OperatorError(f"cannot reach Discord's API at {where} ({_reason(exc.os_error)}): check {check}") from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise OperatorError(
            f"Discord's API at {where} did not answer properly ({type(exc).__name__}: {exc}): check {check}"
        ) from None


# Gateway close codes that discord.py does not retry, and what the operator can do about each.
_CLOSE_CODES = {
    4004: "Discord refused DISCORD_TOKEN on the gateway (4004): it was reset; copy the new one from the portal",
    4010: "Discord refused SHARD_IDS (4010 invalid shard): each must be below SHARD_COUNT",
    4011: "Discord requires this bot to be sharded (4011): set SHARD_COUNT (README: Running several processes)",
    4012: "Discord refused the gateway version (4012): upgrade briefbot",
    4013: "Discord refused the intents (4013): upgrade briefbot",
}


def _closed(code: int) -> str:
    return _CLOSE_CODES.get(code, f"Discord closed the gateway connection ({code}) and it cannot be resumed")


def _reason(exc: BaseException) -> str:
    """A network failure in a few words: 'DNS lookup failed: Name or service not known'."""
    import socket

    if isinstance(exc, socket.gaierror):
        return f"DNS lookup failed: {exc.strerror}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc) or type(exc).__name__
