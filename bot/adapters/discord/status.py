"""The running bot's `/healthz` and `/metrics`, over HTTP at HTTP_ADDRESS (off when it is unset).

`/healthz` answers 200 when the gateway is connected, the database answers and a briefing is
loaded, else 503; the JSON body says which, e.g.
`{"ok": false, "checks": {"gateway": {"ok": false, "detail": "not connected"}, …}}`.
`/metrics` is Prometheus's text format (see bot/metrics.py).

The digest figures come from `digest_figures` and the database check from `database_reachable`:
the two places that know how the digest service keeps its store and its counters.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from dataclasses import dataclass
from typing import Any

import discord
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.commands import answers
from bot.errors import OperatorError
from bot.metrics import DigestFigures, Metrics

log = logging.getLogger("briefbot")

# A check that takes longer than this is failing.
CHECK_SECONDS = 3.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def gateway_connected(bot: discord.Client) -> Check:
    if bot.is_closed():
        return Check(False, "closed")
    if not bot.is_ready():
        return Check(False, "not connected yet (logging in or waiting for the gateway)")
    if isinstance(bot, discord.AutoShardedClient):
        down = sorted(shard_id for shard_id, shard in bot.shards.items() if shard.is_closed())
        if down:
            return Check(False, f"shard(s) {', '.join(map(str, down))} disconnected")
    elif bot.ws is None or not bot.ws.open:
        return Check(False, "disconnected (discord.py is reconnecting)")
    latency = f"{bot.latency * 1000:.0f} ms" if math.isfinite(bot.latency) else "not measured yet"
    return Check(True, f"connected, heartbeat latency {latency}, {len(bot.guilds)} guild(s)")


async def database_reachable(bot: Any) -> Check:
    """The digest store answers a query."""
    digests = getattr(bot, "digests", None)
    if digests is None:
        return Check(False, "the digest store is not open yet")
    database = digests.store.db
    try:
        await asyncio.wait_for(database.now(), CHECK_SECONDS)
    except TimeoutError:
        return Check(False, f"no answer within {CHECK_SECONDS:g} s")
    except Exception as exc:  # any failure of the database is the check's answer
        return Check(False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return Check(True, f"{database.dialect} answers")


def briefing_loaded(bot: Any) -> Check:
    router = getattr(bot, "router", None)
    if router is None:
        return Check(False, "no briefing")
    briefing = router.briefing
    return Check(True, f"version {briefing.version}, {len(briefing.snippets)} snippets")


def digest_figures(bot: Any) -> DigestFigures | None:
    """This process's digest figures (the digest service's counters), or None before it runs."""
    digests = getattr(bot, "digests", None)
    return None if digests is None else digests.counters


class StatusServer:
    """An aiohttp server beside the bot, on the bot's event loop."""

    def __init__(self, bot: discord.Client, metrics: Metrics | None = None) -> None:
        self.bot = bot
        self.metrics = metrics or Metrics()
        self._runner: web.AppRunner | None = None
        self._rate_limits = self.metrics.rate_limit_listener()
        self.port = 0

    async def start(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host.strip("[]") or None, int(port))
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
            message = f"HTTP_ADDRESS={address}: cannot listen there ({reason}); choose another address"
            raise OperatorError(message) from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        answers.observers.append(self.metrics.answered)
        logging.getLogger("discord.http").addHandler(self._rate_limits)
        log.info("serving /healthz and /metrics on %s", address)

    async def stop(self) -> None:
        if self.metrics.answered in answers.observers:
            answers.observers.remove(self.metrics.answered)
        logging.getLogger("discord.http").removeHandler(self._rate_limits)
        if self._runner is not None:
            await self._runner.cleanup()

    async def checks(self) -> dict[str, Check]:
        return {
            "gateway": gateway_connected(self.bot),
            "database": await database_reachable(self.bot),
            "briefing": briefing_loaded(self.bot),
        }

    async def healthz(self, _: web.Request) -> web.Response:
        checks = await self.checks()
        ok = all(check.ok for check in checks.values())
        body = {"ok": ok, "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()}}
        return web.json_response(body, status=200 if ok else 503)

    async def metrics_page(self, _: web.Request) -> web.Response:
        body = self.metrics.exposition(digest_figures(self.bot))
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
