"""Runs of many digests against the fake Discord in a process of its own, with Discord's limits
and latency on, and the figures they give. Used by `python -m tests.benchmarks.digests` and, at a
small size, by the test suite.

A run: N channels subscribed with the same slot, the bot started (in this process, to measure its
event loop, or as `python -m bot run`), `/digest send-now` pressed in the middle of the burst,
then everything the fake saw is counted: when each digest arrived, 429s, duplicates, missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from bot.digest.slots import schedule
from bot.digest.store import ACTIVE, Store
from bot.digest.tables import subscriptions

PROJECT = Path(__file__).resolve().parents[2]
TOKEN = "MTAw.fake-token-for-benchmarks.do-not-log-me"
POSTGRES = "BRIEFBOT_TEST_POSTGRES_URL"


@dataclass
class Fake:
    """The fake Discord in a child process, driven through its /_fake/ routes."""

    process: asyncio.subprocess.Process
    base_url: str
    api_base: str
    gateway_url: str
    session: aiohttp.ClientSession
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    async def start(cls, *, latency: float = 0.05, nonce_ttl: float = 300.0, limits: bool = True) -> Fake:
        args = ["-m", "tests.fakediscord", "--latency", str(latency), "--nonce-ttl", str(nonce_ttl), "--token", TOKEN]
        if not limits:
            args.append("--no-limits")
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=PROJECT, stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the fake Discord did not start")
        ready = json.loads(line)
        fake = cls(process, f"http://127.0.0.1:{ready['port']}", ready["api_base"], ready["gateway_url"],
                   aiohttp.ClientSession())  # fmt: skip
        fake.info = await fake._get("/_fake/info")
        return fake

    async def stop(self) -> None:
        await self.session.close()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 10)
            if self.process.returncode is None:
                self.process.kill()

    @property
    def channel_id(self) -> str:
        return str(self.info["channel_id"])

    @property
    def guild_id(self) -> str:
        return str(self.info["guild_id"])

    async def add_channels(self, count: int) -> list[str]:
        return list((await self._post("/_fake/channels", {"count": count}))["added"])

    async def interaction(self, name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._post("/_fake/interaction", {"name": name, "options": options or {}, "by": "owner"})

    async def stats(self, detail: bool = True) -> dict[str, Any]:
        return await self._get("/_fake/stats", **({} if detail else {"detail": "0"}))

    async def requests(self, path: str) -> list[dict[str, Any]]:
        return list(await self._get("/_fake/requests", path=path))

    async def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        return list(await self._get("/_fake/messages", **({"channel": channel} if channel else {})))

    async def identified(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not (await self._get("/_fake/info"))["identified"]:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot never connected to the fake gateway")
            await asyncio.sleep(0.1)

    async def _get(self, route: str, **query: str) -> Any:
        async with self.session.get(f"{self.base_url}{route}", params=query) as response:
            return await response.json()

    async def _post(self, route: str, body: dict[str, Any]) -> Any:
        async with self.session.post(f"{self.base_url}{route}", json=body) as response:
            return await response.json()


@contextlib.asynccontextmanager
async def fake_discord(**options: Any) -> AsyncIterator[Fake]:
    fake = await Fake.start(**options)
    try:
        yield fake
    finally:
        await fake.stop()


def database_url(kind: str, folder: Path) -> str | None:
    """A fresh digest database: a SQLite file in `folder`, or the PostgreSQL of BRIEFBOT_TEST_POSTGRES_URL
    emptied first (None when it is unset)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'digests.db'}"
    url = os.environ.get(POSTGRES)
    if not url:
        return None
    from tests.digest.conftest import empty_postgres

    empty_postgres(url)
    return url


async def seed(url: str, guild_id: str, channels: list[str], slot: datetime) -> None:
    """One daily subscription per channel, all due at `slot` (in one transaction, as a bulk insert)."""
    store = await Store.open(url)
    plan = schedule(f"{slot:%H:%M}", "UTC")
    now = datetime.now(UTC)
    rows = [
        {"guild_id": int(guild_id), "channel_id": int(c), "time_of_day": f"{plan.at:%H:%M}", "timezone": "UTC",
         "weekdays": "0,1,2,3,4,5,6", "topics": "", "size": 5, "status": ACTIVE, "pause_reason": None,
         "next_slot": slot, "created_by": None, "created_at": now, "last_delivery_at": None, "digest_count": 0}
        for c in channels
    ]  # fmt: skip
    async with store.db.write() as conn:
        for start in range(0, len(rows), 2000):
            await conn.execute(insert(subscriptions), rows[start : start + 2000])
    await store.close()


def next_minute(after: float = 8.0) -> datetime:
    """The next minute boundary at least `after` seconds away: every channel is due then."""
    now = datetime.now(UTC)
    slot = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return slot if (slot - now).total_seconds() >= after else slot + timedelta(minutes=1)


def bot_env(fake: Fake, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_", "DIGEST_"))}
    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
               DATABASE_URL=url, DEV_GUILD_ID=fake.guild_id, LOG_LEVEL="WARNING", **extra)  # fmt: skip
    return env


async def start_bot_process(fake: Fake, url: str, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=bot_env(fake, url, **extra),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class SendNow:
    pressed_at: float  # wall clock
    interaction: str = ""  # "id/token" of the interaction
    replied_s: float | None = None  # until Discord had the interaction's first response (defer)
    answer: str | None = None  # what the moderator read in the end
    answered_s: float | None = None
    digest_s: float | None = None  # until its own digest was in the channel


@dataclass
class Burst:
    label: str
    channels: int
    slot: datetime
    bound_rate: float  # requests per second the bound is computed from (45 or 50)
    first_s: float | None = None
    last_s: float | None = None
    rate_limited: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    missing: int = 0
    limited_at: list[float] = field(default_factory=list)  # when the 429s came, seconds after the slot
    lag_p99_ms: float | None = None
    lag_max_ms: float | None = None
    spikes: list[tuple[float, float]] = field(default_factory=list)
    send_now: SendNow | None = None

    @property
    def bound_s(self) -> float:
        return self.channels / self.bound_rate

    @property
    def ratio(self) -> float | None:
        return None if self.last_s is None else self.last_s / self.bound_s

    def lines(self) -> list[str]:
        n429 = sum(self.rate_limited.values())
        parts = [
            f"{self.label}: {self.channels:,} channels due at one minute",
            f"  first digest {self.first_s:.2f} s after the slot, last {self.last_s:.1f} s; bound N/{self.bound_rate:g}"
            f" = {self.bound_s:.1f} s; ratio {self.ratio:.3f}" if self.last_s is not None and self.first_s is not None
            else "  no digest arrived",
            f"  429s received: {n429} {dict(self.rate_limited) or ''}; duplicates: {self.duplicates}; missing: "
            f"{self.missing}",
        ]  # fmt: skip
        if self.limited_at:
            spots = Counter(int(t // 10) * 10 for t in self.limited_at)
            parts.append("  429s by 10 s after the slot: " + ", ".join(f"{k} s: {n}" for k, n in sorted(spots.items())))
        if self.lag_p99_ms is not None:
            lag = f"p99 {self.lag_p99_ms:.1f} ms, max {self.lag_max_ms:.1f} ms"
            parts.append(f"  event-loop lag during the burst: {lag}")
            if self.spikes:
                shown = ", ".join(f"{lag:.0f} ms at {when:.1f} s" for when, lag in self.spikes[:10])
                parts.append(f"  lags over 100 ms ({len(self.spikes)}): {shown}")
        if self.send_now is not None:
            s = self.send_now
            parts.append(
                f"  send-now pressed mid-burst: Discord had the reply in {_s(s.replied_s)}, the answer "
                f"“{s.answer}” in {_s(s.answered_s)}, its digest was posted after {_s(s.digest_s)}"
            )
        return parts


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


async def press_send_now(fake: Fake) -> SendNow:
    payload = await fake.interaction("digest send-now")
    return SendNow(pressed_at=float(payload["sent_at"]), interaction=f"{payload['id']}/{payload['token']}")


async def collect(fake: Fake, burst: Burst, channels: list[str], send_now: SendNow | None) -> None:
    """Count what reached the fake: arrival times, per-channel counts, 429s, and send-now's times."""
    messages = await fake.messages()
    stats = await fake.stats()
    burst.rate_limited = dict(stats["rate_limited"])
    slot = burst.slot.timestamp()
    burst.limited_at = [r["at"] - slot for r in await fake.requests("^/channels/") if r["status"] == 429]
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        by_channel.setdefault(message["channel_id"], []).append(message)
    expected = Counter({c: 1 for c in channels})
    number_now: int | None = None
    if send_now is not None:
        interaction_id, token = send_now.interaction.split("/")
        callbacks = [r for r in await fake.requests(f"/interactions/{interaction_id}/") if r["status"] < 300]
        if callbacks:
            send_now.replied_s = callbacks[0]["at"] - send_now.pressed_at
        edits = [r for r in await fake.requests(f"/webhooks/.*/{token}/messages") if r["method"] == "PATCH"]
        if edits:
            embed = (edits[-1]["body"] or {}).get("embeds", [{}])[0]
            send_now.answer = f"{embed.get('title')}: {embed.get('description')}"
            send_now.answered_s = edits[-1]["at"] - send_now.pressed_at
            found = re.search(r"Digest #(\d+)", embed.get("description") or "")
            number_now = int(found.group(1)) if found else None
        expected[fake.channel_id] += 1
    scheduled_times = []
    for channel in set(expected) | set(by_channel):
        got = by_channel.get(channel, [])
        footers = Counter(f for m in got for f in m["footer"])
        burst.duplicates += sum(n - 1 for n in footers.values() if n > 1) + max(0, len(got) - expected[channel])
        burst.missing += max(0, expected[channel] - len(got))
        for message in got:
            if number_now is not None and channel == fake.channel_id and f"Digest #{number_now}" in message["footer"]:
                assert send_now is not None
                send_now.digest_s = message["at"] - send_now.pressed_at
            else:
                scheduled_times.append(message["at"] - slot)
    if scheduled_times:
        burst.first_s, burst.last_s = min(scheduled_times), max(scheduled_times)


async def wait_for_messages(fake: Fake, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await fake.stats(detail=False))["posted"] >= count:
            return
        await asyncio.sleep(0.5)


class LagProbe:
    """How late the event loop wakes a 10 ms sleep: what every other coroutine waits too."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.spikes: list[tuple[float, float]] = []  # (when, wall clock; lag in ms) over 100 ms
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.01)
            lag = (loop.time() - started - 0.01) * 1000
            self.samples.append(lag)
            if lag > 100:
                self.spikes.append((time.time(), lag))

    def stop(self) -> tuple[float, float]:
        if self._task is not None:
            self._task.cancel()
        ordered = sorted(self.samples) or [0.0]
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], ordered[-1]


async def burst_in_process(kind: str, count: int, *, latency: float = 0.05, label: str | None = None) -> Burst | None:
    """N channels due at one minute; the bot runs in this process, so its event loop is measured."""
    from pydantic import SecretStr

    from bot.adapters.discord.client import create_bot
    from bot.briefing.load import load_briefing
    from bot.config import Settings

    folder = Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    url = database_url(kind, folder)
    if url is None:
        return None
    async with fake_discord(latency=latency) as fake:
        channels = [fake.channel_id, *await fake.add_channels(count - 1)]
        slot = next_minute()
        await seed(url, fake.guild_id, channels, slot)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, discord_token=SecretStr(TOKEN), discord_api_base=fake.base_url,
            discord_gateway_url=fake.gateway_url, dev_guild_id=int(fake.guild_id), database_url=url,
            log_level="WARNING",
        )  # fmt: skip
        bot = create_bot(settings, load_briefing(PROJECT))
        runner = asyncio.create_task(bot.start(TOKEN))
        await asyncio.wait_for(bot.wait_until_ready(), 60)
        burst = Burst(label or f"{kind}, bot in this process", count, slot, 45)
        probe = LagProbe()
        await asyncio.sleep(max(0.0, slot.timestamp() - time.time() - 0.5))
        probe.start()
        await asyncio.sleep(max(0.0, slot.timestamp() - time.time() + burst.bound_s / 2))
        pressed = await press_send_now(fake)
        await wait_for_messages(fake, count + 1, timeout=burst.bound_s * 2 + 30)
        burst.lag_p99_ms, burst.lag_max_ms = probe.stop()
        burst.spikes = [(when - slot.timestamp(), lag) for when, lag in probe.spikes]
        await asyncio.sleep(1)
        await collect(fake, burst, channels, pressed)
        burst.send_now = pressed
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
    return burst


async def load_from_outside(
    count: int, *, latency: float = 0.05, kind: str = "sqlite", slot_in: float | None = None
) -> Burst:
    """The bot as operators start it, `python -m bot run`, against the fake enforcing Discord's
    limits: N channels due at one minute (or `slot_in` seconds from now), send-now pressed mid-burst."""
    folder = Path(tempfile.mkdtemp(prefix="briefbot-load-"))
    url = database_url(kind, folder)
    assert url is not None
    async with fake_discord(latency=latency) as fake:
        channels = [fake.channel_id, *await fake.add_channels(count - 1)]
        slot = next_minute() if slot_in is None else datetime.now(UTC) + timedelta(seconds=slot_in)
        await seed(url, fake.guild_id, channels, slot)
        process = await start_bot_process(fake, url)
        try:
            await fake.identified()
            burst = Burst(f"python -m bot run ({kind})", count, slot, 50)
            await asyncio.sleep(max(0.0, slot.timestamp() - time.time() + count / 45 / 2))
            pressed = await press_send_now(fake)
            await wait_for_messages(fake, count + 1, timeout=count / 50 * 2 + 30)
            await asyncio.sleep(1)
            await collect(fake, burst, channels, pressed)
            burst.send_now = pressed
        finally:
            await stop_process(process)
    return burst


@dataclass
class Race:
    runs: int = 0
    duplicates: int = 0
    lost: int = 0
    seconds: list[float] = field(default_factory=list)


async def race(runs: int, channels: int = 40, kind: str = "sqlite") -> Race:
    """Two `python -m bot run` processes on one database, started together for slots already due."""
    result = Race()
    async with fake_discord(latency=0.02) as fake:
        for _ in range(runs):
            folder = Path(tempfile.mkdtemp(prefix="briefbot-race-"))
            url = database_url(kind, folder)
            assert url is not None
            targets = await fake.add_channels(channels)
            slot = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
            await seed(url, fake.guild_id, targets, slot)
            started = time.monotonic()
            fast = {"DIGEST_TICK_SECONDS": "1", "DIGEST_LEASE_SECONDS": "3", "DIGEST_SEND_TIMEOUT": "1"}
            processes = [await start_bot_process(fake, url, **fast) for _ in range(2)]
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    counts = Counter(m["channel_id"] for m in await fake.messages() if m["channel_id"] in targets)
                    if len(counts) == channels:
                        break
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.5)  # both processes poll again: nothing more may come
            finally:
                for process in processes:
                    await stop_process(process)
            counts = Counter(m["channel_id"] for m in await fake.messages() if m["channel_id"] in targets)
            result.runs += 1
            result.duplicates += sum(n - 1 for n in counts.values())
            result.lost += sum(1 for c in targets if counts[c] == 0)
            result.seconds.append(time.monotonic() - started)
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
