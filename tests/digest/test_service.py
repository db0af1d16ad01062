"""Exactly-once delivery: claims, grace windows, pauses, retries and crashes, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.digest.service import DigestService
from bot.digest.slots import next_slot, schedule
from bot.digest.store import FAILED, PAUSED, SCHEMA_VERSION, SENT, SKIPPED, Store, Subscription
from bot.router import Router
from tests.digest.conftest import Clock, FakeChannel, utc

CHANNEL, GUILD = 555, 777
START = utc(2026, 3, 2, 6, 0)  # Monday 07:00 in Berlin


class Crash(BaseException):
    """A process dying at a checkpoint: nothing after it runs."""


def subscribe(store: Store, clock: Clock, at: str = "08:00", channel: int = CHANNEL, **kwargs: object) -> Subscription:
    plan = schedule(at, "Europe/Berlin", kwargs.pop("weekdays", None), today=clock.now.date())  # type: ignore[arg-type]
    return store.subscribe(
        guild_id=GUILD, channel_id=channel, plan=plan, weekdays="daily", topics=kwargs.pop("topics", ()),  # type: ignore[arg-type]
        size=kwargs.pop("size", 5), next_slot=next_slot(plan, clock.now), by=1, now=clock.now,  # type: ignore[arg-type]
    )  # fmt: skip


def service(store: Store, router: Router, channel: FakeChannel, clock: Clock, **kwargs: object) -> DigestService:
    return DigestService(store, lambda: router, channel, clock=clock, **kwargs)  # type: ignore[arg-type]


async def test_a_due_slot_is_posted_once_and_marked_sent(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    sub = subscribe(store, clock)
    digests = service(store, router, channel, clock)
    assert await digests.tick() == 0  # 07:00: not yet
    clock.now = sub.next_slot + timedelta(seconds=5)
    assert await digests.tick() == 1
    assert await digests.tick() == 0  # the same minute again: nothing
    (reply,) = channel.in_channel(CHANNEL)
    assert reply.footer == "Digest #1" and len(reply.items) == 5
    (delivery,) = store.deliveries(sub.id)
    assert delivery.status == SENT and delivery.message_id == channel.messages[0][3]
    assert store.subscription(CHANNEL).next_slot == utc(2026, 3, 3, 7, 0)  # type: ignore[union-attr]


async def test_slots_missed_while_down_send_the_latest_once_and_skip_the_rest(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    subscribe(store, clock)
    clock.now = utc(2026, 3, 5, 7, 30)  # down since Monday: Mon, Tue, Wed, Thu 08:00 missed
    assert await service(store, router, channel, clock).tick() == 1
    statuses = [(d.slot.day, d.status) for d in store.deliveries()]
    assert statuses == [(2, SKIPPED), (3, SKIPPED), (4, SKIPPED), (5, SENT)]


async def test_slots_missed_beyond_the_grace_window_are_all_skipped(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    subscribe(store, clock)
    clock.now = utc(2026, 3, 5, 10, 30)  # Thursday's slot is 3.5 hours old
    assert await service(store, router, channel, clock, grace=timedelta(hours=2)).tick() == 0
    assert {d.status for d in store.deliveries()} == {SKIPPED}
    assert channel.messages == []


@pytest.mark.parametrize(
    "reason",
    ["The bot may not post in this channel (403 Forbidden)", "The channel no longer exists (404 Not Found)"],
)
async def test_a_refusing_channel_pauses_with_its_reason_and_others_still_post(
    store: Store, router: Router, reason: str
) -> None:
    clock, channel = Clock(START), FakeChannel(refuse={CHANNEL: reason})
    subscribe(store, clock)
    subscribe(store, clock, channel=CHANNEL + 1)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await service(store, router, channel, clock).tick() == 1
    paused = store.subscription(CHANNEL)
    assert paused is not None and paused.status == PAUSED and paused.pause_reason == reason
    assert (paused.schedule.at.hour, paused.size) == (8, 5)  # settings kept
    assert len(channel.in_channel(CHANNEL + 1)) == 1


async def test_transient_failures_are_retried_boundedly_with_the_same_nonce(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel(failures=2)
    subscribe(store, clock)
    digests = service(store, router, channel, clock, max_attempts=5)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    for _ in range(3):
        await digests.tick()
        clock.now += timedelta(seconds=10)
    assert len(channel.messages) == 1
    (delivery,) = store.deliveries()
    assert delivery.status == SENT and delivery.attempts == 3
    # A channel that never recovers: given up after max_attempts, and the scheduler carries on.
    channel.failures = 99
    clock.now = utc(2026, 3, 3, 7, 0, 1)
    for _ in range(7):
        await digests.tick()
        clock.now += timedelta(seconds=10)
    assert store.deliveries()[-1].status == FAILED


@pytest.mark.parametrize("point", ["after-claim", "after-send"])
async def test_a_crash_around_the_send_leaves_exactly_one_message(store: Store, router: Router, point: str) -> None:
    clock, channel = Clock(START), FakeChannel()
    subscribe(store, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)

    def die(at: str) -> None:
        if at == point:
            raise Crash(at)

    with pytest.raises(Crash):
        await service(store, router, channel, clock, checkpoint=die).tick()
    restarted = service(store, router, channel, clock)  # a new process on the same database
    clock.now += timedelta(seconds=30)
    await restarted.recover()
    await restarted.tick()
    assert len(channel.messages) == 1
    assert [d.status for d in store.deliveries()] == [SENT]


async def test_two_processes_on_one_database_post_each_slot_once(db_url: str, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    first, second = Store.open(db_url), Store.open(db_url)
    subscribe(first, clock)
    subscribe(first, clock, channel=CHANNEL + 1, at="08:00")
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    a, b = service(first, router, channel, clock), service(second, router, channel, clock)
    results = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    assert sum(results) == 2
    assert len(channel.in_channel(CHANNEL)) == 1 and len(channel.in_channel(CHANNEL + 1)) == 1
    first.engine.dispose()
    second.engine.dispose()


async def test_rotation_never_repeats_until_every_snippet_was_posted(store: Store, router: Router) -> None:
    clock, channel = Clock(START), FakeChannel()
    subscribe(store, clock, topics=("arms", "sanctions"), size=4)
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


def test_the_schema_is_versioned_and_migrating_again_changes_nothing(db_url: str) -> None:
    store = Store.open(db_url)
    assert store.migrate() == SCHEMA_VERSION
    assert Store.open(db_url).migrate() == SCHEMA_VERSION
    store.engine.dispose()


async def test_subscriptions_survive_a_restart(db_url: str, router: Router) -> None:
    clock = Clock(START)
    subscribe(Store.open(db_url), clock, at="09:15")
    again = Store.open(db_url).subscription(CHANNEL)
    assert again is not None and f"{again.schedule.at:%H:%M}" == "09:15"
    assert again.next_slot == utc(2026, 3, 2, 8, 15)
