"""A small load run from outside, as CI can afford it: `python -m bot run` against the fake
Discord in a process of its own, enforcing Discord's limits with 50 ms answers; 150 channels due at
once and /digest send-now pressed in the middle. The full-size run (1,000 channels, and the
timings against Discord's bound) is `python -m tests.benchmarks.digests load`."""

from __future__ import annotations

from tests.benchmarks.digest_runs import load_from_outside

CHANNELS = 150


async def test_150_channels_due_at_once_each_get_one_digest_and_send_now_is_answered_in_time() -> None:
    burst = await load_from_outside(CHANNELS, slot_in=8.0)
    print("\n".join(burst.lines()))
    assert (burst.duplicates, burst.missing) == (0, 0)
    assert sum(burst.rate_limited.values()) <= CHANNELS // 100
    assert burst.send_now is not None
    assert burst.send_now.replied_s is not None and burst.send_now.replied_s < 3  # Discord's own deadline
    assert burst.send_now.answer is not None and burst.send_now.answer.startswith("Digest sent")
    assert burst.send_now.digest_s is not None and burst.send_now.digest_s < 10
