"""Delivering digests exactly once, at Discord's pace: the service the Discord bot and the console
start, and what they tell it (wake up, send now, stop).

How a digest travels (DESIGN.md, "scheduled digests"): the scheduler wakes the pipeline when the
earliest slot comes; the pipeline claims due slots in batches (a lease for this process, see
store.py) and queues them; a pool of senders posts them, paced under Discord's limits (limits.py),
retrying a send that may or may not have arrived with the same nonce; a claim whose holder died is
taken over only once that process is known to be gone (leases.py), and posted again only after
looking in the channel for its marker. Counters an operator will want live in `DigestCounters`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.digest.compose import Pick, Rotation, choose, eligible
from bot.digest.limits import CHANNEL_MESSAGES, CHANNEL_SECONDS
from bot.digest.store import Delivery, Scope, Store, Subscription, utcnow
from bot.reply import Reply
from bot.router import Router

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.digest.pipeline import Outcome, Pipeline
    from bot.digest.scheduler import DigestScheduler

log = logging.getLogger(__name__)


class DeliveryRefused(Exception):
    """The channel refused the digest for good (403, 404): pause the subscription, saying why."""


class DeliveryRejected(Exception):
    """Discord refused this digest's body (400): it fails for good; the subscription goes on."""


class DeliveryUncertain(Exception):
    """The send timed out, lost its connection or met a 5xx: the message may or may not exist.
    Send again with the same nonce (or look in the channel first, past the nonce window)."""


class RateLimited(Exception):
    """Discord answered 429: nothing was created; wait `retry_after`, everyone if it is global."""

    def __init__(self, retry_after: float, is_global: bool) -> None:
        super().__init__(f"rate limited for {retry_after:.2f} s{' (global)' if is_global else ''}")
        self.retry_after = retry_after
        self.is_global = is_global


class Sender(Protocol):
    """Where digests go: Discord, or the console. Each call gives up after its own timeout."""

    async def post(self, channel_id: int, reply: Reply, nonce: str) -> int:
        """Post `reply`; the new message's id. Raises the Delivery* errors or RateLimited."""
        ...

    async def find(self, channel_id: int, number: int, since: datetime) -> int | None:
        """The id of the bot's own message carrying digest `number`'s marker posted after `since`."""
        ...


@dataclass(frozen=True)
class DigestSettings:
    rate_per_second: float = 45.0  # this process's share of Discord's 50 requests/s
    channel_limit: tuple[int, float] = (CHANNEL_MESSAGES, CHANNEL_SECONDS)  # Discord's, per channel
    senders: int = 16
    send_timeout: float = 5.0
    lease_seconds: float = 30.0  # a claim's lease; an owner silent this long is gone
    nonce_window: float = 120.0  # how long Discord is trusted to remember a nonce
    poll_seconds: float = 30.0  # the scheduler's safety poll, besides waking at each due slot
    grace: timedelta = timedelta(hours=2)
    max_attempts: int = 5
    retry_base: float = 0.5  # seconds before the first retry; doubling after each
    # Slots claimed per transaction: small enough that composing and writing one batch never holds
    # the event loop for long (about 15 ms for 50 on PostgreSQL), and far ahead of 45 sends/s.
    batch: int = 50

    def __post_init__(self) -> None:
        # A send that starts while this process's lease is fresh must end before it could expire.
        if self.send_timeout * 2 >= self.lease_seconds:
            raise ValueError("the lease must last more than twice the send timeout")


@dataclass
class DigestCounters:
    """What an operator (or a metrics endpoint) reads about this process's digests."""

    sent: int = 0
    failed: int = 0
    pending: int = 0  # claimed by this process, not yet sent or failed
    rate_limit_waits: int = 0  # sends that waited for the pacing
    rate_limited: int = 0  # 429s Discord answered anyway
    retries: int = 0  # sends tried again (timeouts, lost connections, 5xx)
    recovered: int = 0  # claims taken over from processes that were gone
    found_in_channel: int = 0  # re-sends avoided: the digest was already in the channel

    def snapshot(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class DigestService:
    store: Store
    router: Callable[[], Router]
    sender: Sender
    scope: Scope = field(default_factory=Scope)
    settings: DigestSettings = field(default_factory=DigestSettings)
    clock: Callable[[], datetime] = utcnow
    monotonic: Callable[[], float] = time.monotonic
    counters: DigestCounters = field(default_factory=DigestCounters)
    pipeline: Pipeline = field(init=False)
    scheduler: DigestScheduler | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        from bot.digest.pipeline import Pipeline

        self.pipeline = Pipeline(self)

    async def start(self, *, schedule: bool = True) -> None:
        """Register this process, start the senders and, unless told not to, the scheduler."""
        await self.pipeline.start()
        if schedule:
            from bot.digest.scheduler import DigestScheduler

            self.scheduler = DigestScheduler(self.wake, self.settings.poll_seconds)
            self.pipeline.on_next_due = self.scheduler.arm
            self.scheduler.start()
        self.wake()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None
        await self.pipeline.stop()

    def wake(self) -> None:
        """Look for due slots now (after a subscription changed, or when the scheduler fires)."""
        self.pipeline.wake()

    async def tick(self) -> int:
        """Claim what is due, take over claims of gone processes, and deliver everything queued,
        here and now; returns how many digests were sent. For tests and the console's first round."""
        return await self.pipeline.run_once()

    async def send_now(self, sub: Subscription) -> tuple[Delivery, asyncio.Future[Outcome]] | None:
        """An extra digest now, ahead of every queued one; None if the subscription is paused or gone."""
        return await self.pipeline.send_now(sub)

    def compose(self, sub: Subscription, rotation: Rotation) -> list[Pick]:
        return choose(eligible(self.router().briefing, sub.topics), rotation, sub.size)

    def known(self) -> list[str]:
        return [s.id for s in self.router().briefing.snippets]

    def checkpoint(self, point: str) -> None:
        """Called at each step of a delivery ("claimed", "posting", "posted", "marked"): the crash
        tests' launcher replaces it to kill the process there. Does nothing in the bot."""


def digest_settings(settings: Settings) -> DigestSettings:
    """The digest settings from the bot's (read at start)."""
    return DigestSettings(
        rate_per_second=settings.digest_rate_per_second,
        senders=settings.digest_senders,
        send_timeout=settings.digest_send_timeout,
        lease_seconds=settings.digest_lease_seconds,
        nonce_window=settings.digest_nonce_window_seconds,
        poll_seconds=settings.digest_tick_seconds,
        grace=timedelta(minutes=settings.digest_grace_minutes),
    )
