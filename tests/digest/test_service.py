"""Exactly-once delivery: claims, grace windows, pauses, retries, crashes and takeovers, on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digest.pipeline import Outcome
from bot.digest.service import DigestService, DigestSettings
from bot.digest.slots import next_slot, schedule
from bot.digest.store import FAILED, PAUSED, SENT, SKIPPED, Store, Subscription
from bot.router import Router
from tests.digest.conftest import FAST, Clock, FakeChannel, service, utc

CHANNEL, GUILD = 555, 777
START = utc(2026, 3, 2, 6, 0)  # Monday 07:00 in Berlin


class Crash(BaseException):
    """A process dying at a checkpoint: nothing after it runs."""


async def subscribe(
    store: Store, clock: Clock, at: str = "08:00", channel: int = CHANNEL, **kwargs: object
) -> Subscription:
    plan = schedule(at, "Europe/Berlin", kwargs.pop("weekdays", None))  # type: ignore[arg-type]
    return await store.subscribe(
        guild_id=GUILD, channel_id=channel, plan=plan, weekdays="0,1,2,3,4,5,6", topics=kwargs.pop("topics", ()),  # type: ignore[arg-type]
        size=kwargs.pop("size", 5), next_slot=next_slot(plan, clock.now), by=1, now=clock.now,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_a_due_slot_is_posted_once_and_marked_sent(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    sub = await subscribe(store, clock)
    digests = service(store, router, channel, clock)
    assert await digests.tick() == 0  # 07:00: not yet
    clock.now = sub.next_slot + timedelta(seconds=5)
    assert await digests.tick() == 1
    assert await digests.tick() == 0  # the same minute again: nothing
    (reply,) = channel.in_channel(CHANNEL)
    assert reply.footer == "Digest #1" and len(reply.items) == 5
    (delivery,) = await store.deliveries(sub.id)
    assert delivery.status == SENT and delivery.message_id == channel.messages[0].message_id
    assert delivery.lease_owner is None
    assert (await store.subscription(CHANNEL)).next_slot == utc(2026, 3, 3, 7, 0)  # type: ignore[union-attr]
    assert digests.counters.snapshot() | {"rate_limit_waits": 0} == {
        "sent": 1, "failed": 0, "pending": 0, "rate_limit_waits": 0, "rate_limited": 0, "retries": 0,
        "recovered": 0, "found_in_channel": 0,
    }  # fmt: skip


async def test_slots_missed_while_down_send_the_latest_once_and_skip_the_rest(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    await subscribe(store, clock)
    clock.now = utc(2026, 3, 5, 7, 30)  # down since Monday: Mon, Tue, Wed, Thu 08:00 missed
    assert await service(store, router, channel, clock).tick() == 1
    statuses = sorted((d.slot.day, d.status) for d in await store.deliveries())
    assert statuses == [(2, SKIPPED), (3, SKIPPED), (4, SKIPPED), (5, SENT)]


async def test_slots_missed_beyond_the_grace_window_are_all_skipped(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    await subscribe(store, clock)
    clock.now = utc(2026, 3, 5, 10, 30)  # Thursday's slot is 3.5 hours old
    assert await service(store, router, channel, clock, grace=timedelta(hours=2)).tick() == 0
    assert {d.status for d in await store.deliveries()} == {SKIPPED}
    assert channel.messages == []


@pytest.mark.parametrize(
    "reason",
    ["The bot may not post in this channel (403 Forbidden)", "The channel no longer exists (404 Not Found)"],
)
async def test_a_refusing_channel_pauses_with_its_reason_and_others_still_post(
    store: Store, router: Router, reason: str
) -> None:
    clock, channel = Clock(START), FakeChannel(refuse={CHANNEL: reason})
    await subscribe(store, clock)
    await subscribe(store, clock, channel=CHANNEL + 1)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await service(store, router, channel, clock).tick() == 1
    paused = await store.subscription(CHANNEL)
    assert paused is not None and paused.status == PAUSED and paused.pause_reason == reason
    assert (paused.schedule.at.hour, paused.size) == (8, 5)  # settings kept
    assert len(channel.in_channel(CHANNEL + 1)) == 1
    failed = await store.last(paused.id, FAILED)
    assert failed is not None and failed.error == reason


async def test_sends_in_doubt_are_retried_with_the_same_nonce_and_post_once(store: Store, router: Router) -> None:
    clock = Clock(START)
    # The first answer is lost after Discord created the message, the second never arrived at all.
    channel = FakeChannel(fail=["created", "lost"])
    await subscribe(store, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await service(store, router, channel, clock).tick() == 1
    assert len(channel.messages) == 1
    (delivery,) = await store.deliveries()
    assert delivery.status == SENT and delivery.attempts == 3


async def test_a_send_in_doubt_past_the_nonce_window_looks_in_the_channel_instead_of_posting_again(
    store: Store, router: Router
) -> None:
    clock = Clock(START)
    channel = FakeChannel(fail=["created"], nonce_ttl=0)  # Discord has already forgotten the nonce
    await subscribe(store, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    digests = service(store, router, channel, clock, nonce_window=0)
    assert await digests.tick() == 1
    assert len(channel.messages) == 1 and channel.looks == 1
    assert digests.counters.found_in_channel == 1


async def test_a_digest_that_fails_for_good_is_recorded_as_failed_and_never_counted(
    store: Store, router: Router
) -> None:
    clock = Clock(START)
    channel = FakeChannel(fail=["lost"] * 5)
    sub = await subscribe(store, clock, size=3)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    digests = service(store, router, channel, clock, max_attempts=5)
    assert await digests.tick() == 0
    (delivery,) = await store.deliveries()
    assert delivery.status == FAILED and "not posted after 5 attempts" in (delivery.error or "")
    assert channel.looks == 1  # before giving up it looked: none of the attempts got through
    again = await store.subscription(CHANNEL)
    assert again is not None and again.digest_count == 0 and again.last_delivery_at is None
    rotation, _ = await store.rotation(CHANNEL)
    assert rotation.posted == frozenset()  # its snippets come again in the next digest
    assert digests.counters.failed == 1 and digests.counters.sent == 0
    # The next day posts, and the failed one's snippets come first.
    clock.now = utc(2026, 3, 3, 7, 0, 1)
    assert await digests.tick() == 1
    assert [i.id for i in channel.in_channel(CHANNEL)[0].items] == list(delivery.snippet_ids)
    assert (await store.subscription(CHANNEL)).digest_count == 1  # type: ignore[union-attr]
    del sub


@pytest.mark.parametrize("point", ["claimed", "posting", "posted", "marked"])
@pytest.mark.parametrize("nonce_ttl", [300.0, 0.0])
async def test_a_crash_at_any_step_then_a_restart_leaves_exactly_one_message(
    store: Store, router: Router, point: str, nonce_ttl: float
) -> None:
    """Dying after the claim, before or after the POST, or after marking sent; Discord still
    remembering the nonce, or long past it: one message, one delivery marked sent."""
    clock, channel = Clock(START), FakeChannel(nonce_ttl=nonce_ttl)
    await subscribe(store, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    first = service(store, router, channel, clock)

    def die(at: str) -> None:
        if at == point:
            raise Crash(at)

    first.checkpoint = die  # type: ignore[method-assign,assignment]
    with pytest.raises(Crash):
        await first.tick()
    restarted = service(store, router, channel, clock)  # a new process on the same database
    await restarted.tick()  # sees the first process's heartbeat row; cannot call it gone yet
    await asyncio.sleep(0.7)  # a whole lease without a beat from it
    await restarted.tick()
    assert len(channel.messages) == 1
    assert [d.status for d in await store.deliveries()] == [SENT]


async def test_a_live_process_keeps_its_claims_even_when_their_lease_looks_expired(
    db_url: str, router: Router
) -> None:
    """B may take over only what a gone process held: A, slow but beating, keeps its digest."""
    clock = Clock(START)
    channel = FakeChannel(delay=0.9)  # each post takes most of a lease
    first, second = await Store.open(db_url), await Store.open(db_url)
    for n in range(2):
        await subscribe(first, clock, channel=CHANNEL + n)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    a = service(first, router, channel, clock, lease_seconds=1.2, send_timeout=0.5, senders=1)
    b = service(second, router, channel, clock, lease_seconds=1.2, send_timeout=0.5)
    await a.start(schedule=False)
    while len(a.pipeline.held) < 2:  # A has claimed both
        await asyncio.sleep(0.01)
    await b.start(schedule=False)
    try:
        for _ in range(25):  # B's heartbeats and takeovers, for 2.5 s: A's second claim waits 0.9 s
            await b.pipeline._heartbeat()
            await asyncio.sleep(0.1)
    finally:
        await a.stop()
        await b.stop()
    assert len(channel.messages) == 2 and a.counters.sent == 2 and b.counters.recovered == 0
    assert [d.status for d in await first.deliveries()] == [SENT, SENT]
    await first.close()
    await second.close()


async def test_two_processes_on_one_database_post_each_slot_once(db_url: str, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    first, second = await Store.open(db_url), await Store.open(db_url)
    for n in range(20):
        await subscribe(first, clock, channel=CHANNEL + n)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    processes = [service(store, router, channel, clock) for store in (first, second, first, second)]
    results = await asyncio.gather(*(p.tick() for p in processes))
    assert sum(results) == 20
    assert sorted(p.channel_id for p in channel.messages) == [CHANNEL + n for n in range(20)]
    await first.close()
    await second.close()


async def test_more_due_than_the_queue_holds_are_claimed_as_it_drains(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    for n in range(45):
        await subscribe(store, clock, channel=CHANNEL + n)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    digests = service(store, router, channel, clock, batch=10)  # the queue holds 40
    assert await digests.tick() == 45
    assert len({p.channel_id for p in channel.messages}) == 45


async def test_send_now_in_the_minute_of_a_slot_is_its_own_digest(store: Store, router: Router) -> None:
    """Today's bug: the nonce came from the minute, so Discord swallowed the second digest."""
    clock, channel = Clock(START), FakeChannel()
    sub = await subscribe(store, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    digests = service(store, router, channel, clock)
    assert await digests.tick() == 1
    clock.now = utc(2026, 3, 2, 7, 0, 30)  # the same minute
    queued = await digests.send_now(sub)
    assert queued is not None
    await digests.tick()
    assert await queued[1] is Outcome.SENT
    assert [r.footer for r in channel.in_channel(CHANNEL)] == ["Digest #1", "Digest #2"]
    assert len({p.nonce for p in channel.messages}) == 2


async def test_send_now_jumps_the_queue(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    for n in range(30):
        await subscribe(store, clock, channel=CHANNEL + n)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    digests = service(store, router, channel, clock)
    pipeline = digests.pipeline
    await pipeline._register()
    await pipeline._heartbeat()
    await pipeline._claim_round()  # 30 digests queued
    sub = await store.subscription(CHANNEL + 29)
    assert sub is not None
    await digests.send_now(sub)
    await pipeline._handle(pipeline.queue.get_nowait())
    assert channel.messages[0].reply.footer == "Digest #2" and channel.messages[0].channel_id == CHANNEL + 29


async def test_rotation_never_repeats_until_every_snippet_was_posted(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    await subscribe(store, clock, topics=("arms", "sanctions"), size=4)
    digests = service(store, router, channel, clock)
    eligible = [s.id for s in router.briefing.snippets if s.topic in ("arms", "sanctions")]
    posted: list[str] = []
    day = utc(2026, 3, 2, 7, 0, 1)
    while len(posted) < 2 * len(eligible):
        clock.now = day
        await digests.tick()
        posted += [item.id for item in channel.in_channel(CHANNEL)[-1].items]
        day += timedelta(days=1)
    assert sorted(posted[: len(eligible)]) == sorted(eligible)
    assert sorted(posted[len(eligible) : 2 * len(eligible)]) == sorted(eligible)
    numbers = [r.footer for r in channel.in_channel(CHANNEL)]
    assert numbers == [f"Digest #{n}" for n in range(1, len(numbers) + 1)]


async def test_a_clock_that_jumps_forward_sends_the_latest_slot_once(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    await subscribe(store, clock)
    digests = service(store, router, channel, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await digests.tick() == 1
    clock.now = utc(2026, 3, 4, 7, 30)  # two days ahead at once
    assert await digests.tick() == 1
    assert await digests.tick() == 0
    assert [(d.slot.day, d.status) for d in await store.deliveries()] == [(2, SENT), (3, SKIPPED), (4, SENT)]


async def test_a_clock_that_jumps_back_posts_nothing_again(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    await subscribe(store, clock)
    digests = service(store, router, channel, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await digests.tick() == 1
    for back in (utc(2026, 3, 2, 6, 59), utc(2026, 3, 1, 7, 0, 1), utc(2026, 3, 2, 7, 0, 1)):
        clock.now = back
        assert await digests.tick() == 0
    assert len(channel.messages) == 1
    clock.now = utc(2026, 3, 3, 7, 0, 1)
    assert await digests.tick() == 1  # and the next day comes as usual


async def test_subscriptions_survive_a_restart(db_url: str) -> None:
    clock = Clock(START)
    first = await Store.open(db_url)
    await subscribe(first, clock, at="09:15")
    await first.close()
    again_store = await Store.open(db_url)
    again = await again_store.subscription(CHANNEL)
    await again_store.close()
    assert again is not None and f"{again.schedule.at:%H:%M}" == "09:15"
    assert again.next_slot == utc(2026, 3, 2, 8, 15)


async def test_a_running_bot_follows_a_wall_clock_that_jumps_without_doubling(tmp_path: Path, router: Router) -> None:
    """The scheduler running for real while the wall clock jumps an hour forward past a slot, then
    three hours back: the slot is sent once, and nothing again when the clock returns."""
    import time_machine

    store = await Store.open(f"sqlite:///{tmp_path / 'digests.db'}")
    now = datetime.now(UTC)
    plan = schedule(f"{now + timedelta(hours=1):%H:%M}", "UTC")
    await store.subscribe(
        guild_id=GUILD, channel_id=CHANNEL, plan=plan, weekdays="0,1,2,3,4,5,6", topics=(), size=3,
        next_slot=next_slot(plan, now), by=1, now=now,
    )  # fmt: skip
    channel = FakeChannel()
    settings = DigestSettings(**{**FAST.__dict__, "poll_seconds": 0.3})
    digests = DigestService(store, lambda: router, channel, settings=settings)
    with time_machine.travel(now, tick=True) as traveller:
        await digests.start()
        try:
            await asyncio.sleep(0.5)
            assert channel.messages == []
            traveller.shift(timedelta(hours=1, minutes=1))
            for _ in range(50):
                if channel.messages:
                    break
                await asyncio.sleep(0.1)
            assert len(channel.messages) == 1
            traveller.shift(-timedelta(hours=3))
            await asyncio.sleep(1.0)  # several safety polls in the past
            assert len(channel.messages) == 1
        finally:
            await digests.stop()
    assert [d.status for d in await store.deliveries()] == [SENT]
    await store.close()
