"""Pacing under Discord's limits, and telling a process that is gone from one that is slow."""

from __future__ import annotations

import asyncio
import time

from bot.digest.leases import Liveness, OwnLease
from bot.digest.limits import SendLimiter
from bot.digest.store import Worker


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


async def test_sends_are_paced_so_no_second_holds_more_than_the_rate_and_a_burst_of_two() -> None:
    limiter = SendLimiter(per_second=100)
    times = []
    for n in range(130):
        await limiter.acquire(n)  # a different channel each: only the global pace applies
        times.append(time.monotonic())
    assert most_in_any_window(times, 1.0) <= 102
    assert times[-1] - times[0] >= 1.2  # 130 sends at 100/s
    assert limiter.waits > 100


async def test_one_channel_gets_at_most_its_limit_in_any_window_and_others_do_not_wait() -> None:
    limiter = SendLimiter(per_second=1000, channel_messages=5, channel_seconds=0.5)
    busy = []
    for _ in range(8):
        await limiter.acquire(1)
        busy.append(time.monotonic())
    assert most_in_any_window(busy, 0.5) <= 5
    started = time.monotonic()
    await limiter.acquire(2)
    assert time.monotonic() - started < 0.05


async def test_a_global_429_stops_every_send_for_its_retry_after() -> None:
    limiter = SendLimiter(per_second=1000)
    limiter.pause(0.3)
    started = time.monotonic()
    await asyncio.gather(limiter.acquire(1), limiter.acquire(2))
    assert time.monotonic() - started >= 0.29


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_process_is_gone_only_after_a_whole_lease_without_a_heartbeat() -> None:
    ticks = Ticks()
    liveness = Liveness(dead_after=30, clock=ticks)
    assert liveness.observe([Worker("a", "h", 1, 5, False), Worker("me", "h", 2, 9, False)], "me") == []
    ticks.now += 29
    assert liveness.observe([Worker("a", "h", 1, 5, False)], "me") == []
    ticks.now += 20  # a's count moved: it lives, however long since it was first seen
    assert liveness.observe([Worker("a", "h", 1, 6, False)], "me") == []
    ticks.now += 29.9
    assert liveness.observe([Worker("a", "h", 1, 6, False)], "me") == []
    ticks.now += 0.2
    assert liveness.observe([Worker("a", "h", 1, 6, False)], "me") == ["a"]


def test_a_process_that_stopped_cleanly_is_gone_at_once_and_this_one_never_is() -> None:
    liveness = Liveness(dead_after=30, clock=Ticks())
    rows = [Worker("a", "h", 1, 5, True), Worker("me", "h", 2, 9, True)]
    assert liveness.observe(rows, "me") == ["a"]


def test_a_wall_clock_that_jumps_cannot_make_a_live_process_look_gone() -> None:
    """Liveness reads only the monotonic clock; the wall clock may jump a day either way."""
    import time_machine

    liveness = Liveness(dead_after=30)
    with time_machine.travel(0, tick=True) as traveller:
        liveness.observe([Worker("a", "h", 1, 5, False)], "me")
        traveller.shift(86400)
        assert liveness.observe([Worker("a", "h", 1, 5, False)], "me") == []
        traveller.shift(-2 * 86400)
        assert liveness.observe([Worker("a", "h", 1, 5, False)], "me") == []


def test_own_lease_is_fresh_only_shortly_after_a_heartbeat_reached_the_database() -> None:
    ticks = Ticks()
    own = OwnLease(fresh_for=15, clock=ticks)
    assert not own.fresh()
    own.renewed()
    ticks.now += 14.9
    assert own.fresh()
    ticks.now += 0.2
    assert not own.fresh()
