"""The real bot against a fake Discord that fails the way Discord and networks fail: sends that
time out or lose their connection (before or after Discord created the message), a nonce Discord
has forgotten, 429s, a database that goes away right after a post, a database file deleted under
the running bot. Every digest arrives once, or is recorded as failed; none is lost or doubled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.client import BriefBot
from bot.briefing.models import Briefing
from bot.digest.database import StoreUnavailable
from bot.digest.slots import schedule
from bot.digest.store import SENT, Delivery
from tests.discord.conftest import interact, running, settings_for
from tests.fakediscord.server import FakeDiscord, Limits
from tests.fakediscord.spec import SpecValidator

MESSAGES = r"^/channels/\d+/messages$"


@pytest.fixture
async def fake(spec: SpecValidator | None, request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    limits = getattr(request, "param", None) or Limits()
    server = FakeDiscord(spec, limits=limits)
    await server.start()
    yield server
    await server.stop()


def settings(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> Any:
    values = {"database_url": f"sqlite:///{tmp_path / 'digests.db'}", "digest_send_timeout": 0.5,
              "digest_lease_seconds": 2.0, "digest_tick_seconds": 0.2}  # fmt: skip
    return settings_for(fake, **{**values, **overrides})


async def due_now(bot: BriefBot, fake: FakeDiscord, channels: list[str]) -> None:
    """Daily digests for `channels` whose slot came a second ago."""
    assert bot.digests is not None
    now = datetime.now(UTC)
    slot = now - timedelta(seconds=1)
    plan = schedule(f"{slot:%H:%M}", "UTC")
    for channel in channels:
        await bot.digests.store.subscribe(
            guild_id=int(fake.guild_id), channel_id=int(channel), plan=plan, weekdays="0,1,2,3,4,5,6", topics=(),
            size=3, next_slot=slot, by=None, now=now,
        )  # fmt: skip
    bot.digests.wake()


async def settled(bot: BriefBot, count: int, timeout: float = 20) -> list[Delivery]:
    """Every delivery, once `count` of them are sent or failed."""
    assert bot.digests is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [d for d in await bot.digests.store.deliveries() if d.status != "skipped"]
        if len(found) >= count and all(d.status in ("sent", "failed") for d in found):
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not settled within {timeout} s: {[(d.status, d.error) for d in found]}")
        await asyncio.sleep(0.05)


def posts(fake: FakeDiscord) -> list[Any]:
    return fake.sent("POST", MESSAGES)


@pytest.mark.parametrize(("kind", "after_create"), [("hang", False), ("hang", True), ("reset", False), ("reset", True)])
async def test_a_send_that_times_out_or_loses_its_connection_is_retried_with_its_nonce_and_posted_once(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path, kind: str, after_create: bool
) -> None:
    fake.fault_next("POST", MESSAGES, kind, after_create=after_create, hang_seconds=3)
    async with running(settings(fake, tmp_path), briefing) as bot:
        await due_now(bot, fake, [fake.channel_id])
        (delivery,) = await settled(bot, 1)
    assert delivery.status == SENT and delivery.attempts == 2
    assert len(fake.channel_messages(fake.channel_id)) == 1
    nonces = {r.body["nonce"] for r in posts(fake)}
    assert len(posts(fake)) == 2 and nonces == {delivery.nonce}
    assert fake.nonce_hits == (1 if after_create else 0)  # Discord handed back the first message


@pytest.mark.parametrize("fake", [Limits(nonce_ttl=0.0)], indirect=True)
async def test_past_the_nonce_window_the_bot_looks_in_the_channel_instead_of_posting_again(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    """The connection dropped after Discord created the message, and Discord no longer remembers
    the nonce when the retry comes: only the channel's history can tell."""
    fake.fault_next("POST", MESSAGES, "reset", after_create=True)
    async with running(settings(fake, tmp_path, digest_nonce_window_seconds=0.01), briefing) as bot:
        await due_now(bot, fake, [fake.channel_id])
        (delivery,) = await settled(bot, 1)
        assert bot.digests is not None and bot.digests.counters.found_in_channel == 1
    assert delivery.status == SENT
    assert len(fake.channel_messages(fake.channel_id)) == 1 and len(posts(fake)) == 1
    (look,) = fake.sent("GET", MESSAGES)
    assert look.status == 200 and int(look.query["limit"]) == 100


@pytest.mark.parametrize("fake", [Limits(global_per_second=3)], indirect=True)
async def test_429s_are_honoured_and_every_digest_still_arrives_once(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    channels = [fake.channel_id, *fake.add_channels(7)]
    async with running(settings(fake, tmp_path), briefing) as bot:
        await due_now(bot, fake, channels)
        deliveries = await settled(bot, 8)
        assert bot.digests is not None and bot.digests.counters.rate_limited == fake.rate_limited["global"] > 0
    assert {d.status for d in deliveries} == {SENT}
    assert all(len(fake.channel_messages(c)) == 1 for c in channels)
    refused = [r for r in fake.requests if r.status == 429]
    assert all(r.path.startswith("/channels/") for r in refused)


async def test_a_database_down_right_after_the_post_loses_nothing_and_doubles_nothing(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings(fake, tmp_path), briefing) as bot:
        assert bot.digests is not None
        store = bot.digests.store
        real = store.mark_sent
        outage = {"left": 3}

        async def down(*args: Any, **kwargs: Any) -> bool:
            if outage["left"]:
                outage["left"] -= 1
                raise StoreUnavailable("the digest database is down (test)")
            return await real(*args, **kwargs)

        store.mark_sent = down  # type: ignore[method-assign]
        with caplog.at_level(logging.CRITICAL):
            await due_now(bot, fake, [fake.channel_id])
            (delivery,) = await settled(bot, 1)
    assert delivery.status == SENT and outage["left"] == 0
    assert len(fake.channel_messages(fake.channel_id)) == 1 and len(posts(fake)) == 1
    assert any("DIGESTS STOPPED" in r.getMessage() for r in caplog.records)


async def test_a_database_file_deleted_under_the_running_bot_stops_digests_and_says_so(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "digests.db"
    async with running(settings(fake, tmp_path), briefing) as bot:
        await interact(fake, fake.slash("digest subscribe", {"time": "08:00", "timezone": "UTC"}, by=fake.owner))
        path.unlink()
        with caplog.at_level(logging.CRITICAL):
            assert bot.digests is not None
            bot.digests.wake()
            await asyncio.sleep(0.5)
            listing = await interact(fake, fake.slash("digest list", by=fake.owner))
    text = listing.body["data"]["embeds"][0]["description"]
    assert f"the digest database {path} has disappeared" in text
    assert any(str(path) in r.getMessage() and r.levelno == logging.CRITICAL for r in caplog.records)
    assert not path.exists()


@pytest.mark.parametrize("fake", [Limits(latency=0.05)], indirect=True)
async def test_send_now_answers_at_once_and_its_digest_is_its_own(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    """Pressed in the minute of the channel's slot: its own number and nonce, both digests arrive."""
    async with running(settings(fake, tmp_path), briefing) as bot:
        await due_now(bot, fake, [fake.channel_id])
        payload = fake.slash("digest send-now", by=fake.owner)
        await fake.dispatch("INTERACTION_CREATE", payload)
        callback = await fake.wait_for(lambda r: payload["token"] in r.path and "callback" in r.path)
        edit = await fake.wait_for(lambda r: r.method == "PATCH" and payload["token"] in r.path, 10)
        await settled(bot, 2)
    assert callback.body["type"] == 5 and callback.status < 300
    assert edit.status == 200 and edit.body["embeds"][0]["title"] == "Digest sent"
    footers = sorted(m["embeds"][0]["footer"]["text"] for m in fake.channel_messages(fake.channel_id))
    assert footers == ["Digest #1", "Digest #2"]
    assert len({r.body["nonce"] for r in posts(fake)}) == 2
