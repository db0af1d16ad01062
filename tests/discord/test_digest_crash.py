"""Real processes on one database: killed with SIGKILL at every step of a digest's delivery and
restarted, or two of them racing for the same slots. Every digest is posted exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.slots import schedule
from bot.digest.store import SENT, Store
from tests.conftest import PROJECT
from tests.discord.conftest import TOKEN
from tests.fakediscord.server import FakeDiscord, Limits

# Short leases, so that a restarted process takes over a dead one's claims within seconds.
FAST = {"DIGEST_TICK_SECONDS": "0.5", "DIGEST_LEASE_SECONDS": "1.5", "DIGEST_SEND_TIMEOUT": "0.5"}


async def due_subscriptions(url: str, guild_id: str, channels: list[str]) -> None:
    """Daily digests whose slot was a minute ago: due the moment a bot starts."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    plan = schedule(f"{slot:%H:%M}", "UTC")
    store = await Store.open(url)
    for channel in channels:
        await store.subscribe(
            guild_id=int(guild_id), channel_id=int(channel), plan=plan, weekdays="0,1,2,3,4,5,6", topics=(),
            size=3, next_slot=slot, by=None, now=now - timedelta(minutes=2),
        )  # fmt: skip
    await store.close()


async def start(fake: FakeDiscord, url: str, crash_at: str | None = None) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_", "DIGEST_"))}
    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
               DATABASE_URL=url, **FAST)  # fmt: skip
    command = ["-m", "tests.discord.crashing_bot", crash_at] if crash_at else ["-m", "bot", "run"]
    return await asyncio.create_subprocess_exec(
        sys.executable, *command, cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def statuses(url: str) -> list[str]:
    store = await Store.open(url)
    try:
        return [d.status for d in await store.deliveries()]
    finally:
        await store.close()


async def until_all_sent(url: str, count: int, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (found := await statuses(url)) != [SENT] * count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not all sent in {timeout} s: {found}")
        await asyncio.sleep(0.2)


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        await asyncio.wait_for(process.wait(), 15)


def posted(fake: FakeDiscord, channel: str) -> list[dict[str, object]]:
    return [m for m in fake.channel_messages(channel)]


@pytest.mark.parametrize("crash_at", ["claimed", "posting", "posted", "marked"])
async def test_sigkill_at_each_step_then_restart_leaves_exactly_one_message(
    spec: object, tmp_path: Path, crash_at: str
) -> None:
    # Discord has forgotten the nonce by the time the restarted bot sends: only looking in the
    # channel keeps the digest single after a crash between the post and its record.
    fake = FakeDiscord(spec, limits=Limits(nonce_ttl=0.5))  # type: ignore[arg-type]
    await fake.start()
    try:
        url = f"sqlite:///{tmp_path / 'digests.db'}"
        await due_subscriptions(url, fake.guild_id, [fake.channel_id])
        first = await start(fake, url, crash_at)
        assert await asyncio.wait_for(first.wait(), 30) == -signal.SIGKILL
        sent_before = len(posted(fake, fake.channel_id))
        assert sent_before == (0 if crash_at in ("claimed", "posting") else 1)
        second = await start(fake, url)
        try:
            await until_all_sent(url, 1)
            await asyncio.sleep(1)  # a few more polls: nothing more may be posted
        finally:
            await stop(second)
        assert len(posted(fake, fake.channel_id)) == 1
        # One POST in all: a digest that reached Discord before the crash was found, not re-posted.
        assert len(fake.sent("POST", rf"/channels/{fake.channel_id}/messages$")) == 1
    finally:
        await fake.stop()


async def test_two_processes_racing_on_one_database_post_every_slot_once(spec: object, tmp_path: Path) -> None:
    fake = FakeDiscord(spec)  # type: ignore[arg-type]
    await fake.start()
    try:
        channels = [fake.channel_id, *fake.add_channels(11)]
        url = f"sqlite:///{tmp_path / 'digests.db'}"
        await due_subscriptions(url, fake.guild_id, channels)
        processes = [await start(fake, url), await start(fake, url)]
        try:
            await until_all_sent(url, len(channels))
            await asyncio.sleep(1)  # both have polled again by now
        finally:
            await stop(*processes)
        assert {c: len(posted(fake, c)) for c in channels} == dict.fromkeys(channels, 1)
        assert len(fake.sent("POST", r"/messages$")) == len(channels)
    finally:
        await fake.stop()


def test_each_process_schedules_only_the_guilds_on_its_shards(briefing: object) -> None:
    from bot.adapters.discord.client import create_bot
    from bot.config import Settings

    def bot_for(**shards: object) -> object:
        return create_bot(Settings(_env_file=None, **shards), briefing)  # type: ignore[arg-type,call-arg]

    guild_on_shard_1 = (1 << 22) * 7 + 123  # (id >> 22) % 2 == 1
    first = bot_for(shard_count=2, shard_ids=[0])
    second = bot_for(shard_count=2, shard_ids=[1])
    single = bot_for()
    assert not first.schedules_guild(guild_on_shard_1)  # type: ignore[attr-defined]
    assert second.schedules_guild(guild_on_shard_1)  # type: ignore[attr-defined]
    assert single.schedules_guild(guild_on_shard_1)  # type: ignore[attr-defined]
    assert not single.schedules_guild(0)  # type: ignore[attr-defined]  # the console's guild
