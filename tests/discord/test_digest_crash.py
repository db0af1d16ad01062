"""Real processes killed with SIGKILL around a digest's send, then restarted: exactly one message."""

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
from tests.fakediscord.server import FakeDiscord


def due_subscription(fake: FakeDiscord, url: str) -> None:
    """A daily digest whose slot was a minute ago: due the moment the bot starts."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    plan = schedule(f"{slot:%H:%M}", "UTC", today=now.date())
    store = Store.open(url)
    store.subscribe(
        guild_id=int(fake.guild_id), channel_id=int(fake.channel_id), plan=plan, weekdays="0,1,2,3,4,5,6",
        topics=(), size=3, next_slot=slot, by=None, now=now - timedelta(minutes=2),
    )  # fmt: skip
    store.engine.dispose()


async def start(fake: FakeDiscord, url: str, crash_at: str | None = None) -> asyncio.subprocess.Process:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_", "BRIEFBOT_CRASH"))
    }
    env.update(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
        DATABASE_URL=url, DIGEST_TICK_SECONDS="0.5",
    )  # fmt: skip
    if crash_at:
        env["BRIEFBOT_CRASH_AT"] = crash_at
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def channel_messages(fake: FakeDiscord) -> list[dict[str, object]]:
    return [m for m in fake.messages.values() if m["channel_id"] == fake.channel_id]


@pytest.mark.parametrize("crash_at", ["after-claim", "after-send"])
async def test_sigkill_around_the_send_then_restart_leaves_exactly_one_message(
    fake: FakeDiscord, tmp_path: Path, crash_at: str
) -> None:
    url = f"sqlite:///{tmp_path / 'digests.db'}"
    due_subscription(fake, url)
    first = await start(fake, url, crash_at)
    code = await asyncio.wait_for(first.wait(), 30)
    assert code == -signal.SIGKILL
    assert len(channel_messages(fake)) == (1 if crash_at == "after-send" else 0)

    second = await start(fake, url)
    try:
        posts = 2 if crash_at == "after-send" else 1  # the re-send carries the first one's nonce
        await fake.wait_for(
            lambda r: len([x for x in fake.requests if x.path.endswith("/messages") and x.status == 200]) >= posts, 30
        )
        await asyncio.sleep(1.5)  # a few more ticks: nothing more may be posted
    finally:
        second.send_signal(signal.SIGINT)
        await asyncio.wait_for(second.wait(), 15)
    assert len(channel_messages(fake)) == 1
    store = Store.open(url)
    assert [d.status for d in store.deliveries()] == [SENT]
    store.engine.dispose()


async def test_two_processes_on_one_database_post_the_slot_once(fake: FakeDiscord, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digests.db'}"
    due_subscription(fake, url)
    processes = [await start(fake, url), await start(fake, url)]
    try:
        await fake.wait_for(lambda r: r.path.endswith("/messages") and r.status == 200, 30)
        await asyncio.sleep(2)  # both have ticked several times by now
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            await asyncio.wait_for(process.wait(), 15)
    assert len(channel_messages(fake)) == 1
    assert len(fake.sent("POST", r"/messages$")) == 1


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
