"""The delivery pipeline: a claimer that turns due slots into leased claims and queues them, a pool
of senders that post them at Discord's pace, and a heartbeat that keeps this process's leases and
takes over the claims of processes that are gone.

Nothing here waits on the database with the event loop blocked (the store is async), and nothing
sends while this process cannot prove to others that it is alive: when the database is unavailable
or the last heartbeat is too old, senders hold their digests until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from bot.digest.compose import digest_reply
from bot.digest.database import StoreUnavailable
from bot.digest.leases import Liveness, OwnLease, identity, new_owner
from bot.digest.limits import SendLimiter
from bot.digest.service import DeliveryRefused, DeliveryRejected, DeliveryUncertain, RateLimited
from bot.digest.store import PAUSED, Delivery, Lease, Subscription

if TYPE_CHECKING:
    from bot.digest.service import DigestService

log = logging.getLogger(__name__)
T = TypeVar("T")

URGENT, RECOVERED, SCHEDULED = 0, 1, 2  # queue priorities: send-now first
MAX_RATE_LIMITED = 20  # 429s for one digest before it is given up (nothing was created)


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    REFUSED = "refused"  # the channel refused: the subscription is paused
    STOPPED = "stopped"  # the bot stopped first; another start delivers it


@dataclass(order=True)
class Item:
    priority: int
    sequence: int
    delivery: Delivery = field(compare=False)
    recovered: bool = field(compare=False, default=False)
    done: asyncio.Future[Outcome] | None = field(compare=False, default=None)


class Pipeline:
    def __init__(self, service: DigestService) -> None:
        self.service = service
        settings = service.settings
        self.owner = new_owner()
        messages, seconds = settings.channel_limit
        self.limiter = SendLimiter(settings.rate_per_second, messages, seconds)
        self.liveness = Liveness(dead_after=settings.lease_seconds, clock=service.monotonic)
        self.own = OwnLease(fresh_for=settings.lease_seconds / 2, clock=service.monotonic)
        self.capacity = 4 * settings.batch  # claimed ahead of the senders: a few seconds of sends
        self.queue: asyncio.PriorityQueue[Item] = asyncio.PriorityQueue()
        self.held: dict[int, Item] = {}
        self.halted: str | None = None  # why digests are stopped (the database is unavailable)
        self.on_next_due: Callable[[datetime | None], None] = lambda at: None
        self._sequence = itertools.count()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._sending = 0
        self._last_alarm = float("-inf")
        self._registered = False

    # -- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._register()
        await self._heartbeat()
        loops = [self._claimer(), self._heartbeats()]
        loops += [self._sender() for _ in range(self.service.settings.senders)]
        self._tasks = [asyncio.create_task(loop) for loop in loops]

    async def stop(self) -> None:
        """Let sends in flight finish (bounded), then give every unsent claim up for takeover."""
        background, senders = self._tasks[:2], self._tasks[2:]
        for task in background:
            task.cancel()
        deadline = self.service.monotonic() + self.service.settings.send_timeout + 1
        while self._sending and self.service.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for task in senders:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        for item in self.held.values():
            if item.done is not None and not item.done.done():
                item.done.set_result(Outcome.STOPPED)
        try:
            await self.service.store.retire(self.owner, await self.service.store.db.now())
        except StoreUnavailable as error:
            log.error("could not release this process's digest claims (%s); they are taken over once it is "
                      "seen gone", error)  # fmt: skip

    async def _register(self) -> None:
        if not self._registered:
            self._registered = True
            host, pid = identity()
            await self.service.store.register(self.owner, host, pid, await self.service.store.db.now())

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """One claim round, one recovery round, then deliver all that is queued, in this task."""
        before = self.service.counters.sent
        await self._register()
        await self._heartbeat()
        beating = None if self._tasks else asyncio.create_task(self._heartbeats())
        try:
            while True:
                full = await self._claim_round(until_full=True)
                while not self.queue.empty():
                    await self._handle(self.queue.get_nowait())
                if not full:
                    break
        finally:
            if beating is not None:
                beating.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beating
        return self.service.counters.sent - before

    # -- claiming -----------------------------------------------------------------------------

    async def _claimer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._claim_round()
            except StoreUnavailable as error:
                self._halt(error)
                await asyncio.sleep(1)
                self._wake.set()
            except Exception:
                log.exception("claiming due digests failed; trying again shortly")
                await asyncio.sleep(1)
                self._wake.set()

    async def _claim_round(self, *, until_full: bool = False) -> bool:
        """Claim due slots in batches while the queue has room (waiting for room, or returning True
        when it is full with `until_full`); then arm the scheduler for the next slot."""
        service, store, settings = self.service, self.service.store, self.service.settings
        while True:
            while self.queue.qsize() >= self.capacity:
                if until_full:
                    return True
                self._room.clear()
                await self._room.wait()
            lease = await self._lease()
            claimed, more = await store.claim_due(
                now=service.clock(), scope=service.scope, limit=settings.batch, grace=settings.grace,
                lease=lease, compose=service.compose, known=service.known(),
            )  # fmt: skip
            self._healthy()
            if claimed:
                service.checkpoint("claimed")
            for delivery in claimed:
                self._enqueue(delivery, SCHEDULED)
            if not more:
                break
        self.on_next_due(await store.earliest_due(service.scope))
        return False

    async def send_now(self, sub: Subscription) -> tuple[Delivery, asyncio.Future[Outcome]] | None:
        service = self.service
        delivery = await service.store.claim_now(
            sub.id, now=service.clock(), lease=await self._lease(), compose=service.compose, known=service.known()
        )
        if delivery is None:
            return None
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._enqueue(delivery, URGENT, done=done)
        return delivery, done

    def _enqueue(
        self, delivery: Delivery, priority: int, *, recovered: bool = False, done: asyncio.Future[Outcome] | None = None
    ) -> None:
        item = Item(priority, next(self._sequence), delivery, recovered, done)
        self.held[delivery.id] = item
        self.queue.put_nowait(item)
        self.service.counters.pending = len(self.held)

    async def _lease(self) -> Lease:
        now = await self.service.store.db.now()
        return Lease(self.owner, now + timedelta(seconds=self.service.settings.lease_seconds))

    # -- heartbeats and takeover --------------------------------------------------------------

    async def _heartbeats(self) -> None:
        interval = self.service.settings.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self._heartbeat()
            except StoreUnavailable as error:
                self._halt(error)
            except Exception:
                log.exception("digest heartbeat failed; trying again")

    async def _heartbeat(self) -> None:
        """Renew this process's leases, then take over the claims of processes that are gone."""
        store = self.service.store
        now = await store.db.now()
        lease = Lease(self.owner, now + timedelta(seconds=self.service.settings.lease_seconds))
        await store.heartbeat(lease, now)
        self.own.renewed()
        self._healthy()
        gone = self.liveness.observe(await store.workers(), self.owner)
        room = self.capacity - self.queue.qsize()
        if room > 0:
            taken = await store.take_over(gone, scope=self.service.scope, lease=lease, now=now, limit=room)
            if taken:
                log.warning("taking over %d digest claims of processes that are gone", len(taken))
                self.service.counters.recovered += len(taken)
            for delivery in taken:
                self._enqueue(delivery, RECOVERED, recovered=True)
        await store.forget(gone)

    def _halt(self, error: StoreUnavailable) -> None:
        """Digests stop while the database is unavailable; say so loudly, once a minute."""
        self.halted = str(error)
        now = self.service.monotonic()
        if now - self._last_alarm >= 60:
            self._last_alarm = now
            log.critical("DIGESTS STOPPED: %s", error)

    def _healthy(self) -> None:
        if self.halted is not None:
            log.warning("the digest database is usable again: digests resume")
            self.halted = None
            self._last_alarm = float("-inf")

    # -- sending ------------------------------------------------------------------------------

    async def _sender(self) -> None:
        while True:
            item = await self.queue.get()
            if self.queue.qsize() <= self.capacity // 2:
                self._room.set()
            await self._handle(item)

    async def _handle(self, item: Item) -> None:
        outcome = Outcome.FAILED
        try:
            outcome = await self._deliver(item)
        except asyncio.CancelledError:
            outcome = Outcome.STOPPED
            raise
        except Exception:
            log.exception("delivering digest #%s to %s failed unexpectedly; releasing it for recovery",
                          item.delivery.digest_number, item.delivery.channel_id)  # fmt: skip
            with contextlib.suppress(Exception):
                await self.service.store.abandon(item.delivery, self.owner)
        finally:
            if outcome is not Outcome.STOPPED:
                self.held.pop(item.delivery.id, None)
            self.service.counters.pending = len(self.held)
            if item.done is not None and not item.done.done():
                item.done.set_result(outcome)

    async def _deliver(self, item: Item) -> Outcome:
        service, settings, counters = self.service, self.service.settings, self.service.counters
        delivery = item.delivery
        assert delivery.digest_number is not None
        reply = digest_reply(service.router(), delivery.snippet_ids, delivery.digest_number, delivery.topics)
        look = item.recovered  # its first post may have reached Discord, long ago: look before posting
        first_doubt: float | None = None
        attempts = rate_limited = 0
        while True:
            if look:
                found = await self._look(delivery)
                if found is not None:
                    counters.found_in_channel += 1
                    return await self._sent(delivery, found)
                look = False
                if item.recovered and service.clock() - delivery.slot > settings.grace:
                    return await self._failed(delivery, "not sent within the grace window (the bot was down)")
            await self._wait_to_send(delivery.channel_id)
            try:
                self._sending += 1
                try:
                    service.checkpoint("posting")
                    message_id = await service.sender.post(delivery.channel_id, reply, delivery.nonce)
                finally:
                    self._sending -= 1
            except RateLimited as limited:
                counters.rate_limited += 1
                rate_limited += 1
                if limited.is_global:
                    self.limiter.pause(limited.retry_after)
                if rate_limited >= MAX_RATE_LIMITED:
                    return await self._failed(delivery, f"Discord kept answering 429 ({limited})")
                await asyncio.sleep(limited.retry_after)
                continue
            except DeliveryRefused as refused:
                return await self._refused(delivery, str(refused))
            except DeliveryRejected as rejected:
                return await self._failed(delivery, str(rejected))
            except DeliveryUncertain as doubt:
                attempts += 1
                counters.retries += 1
                first_doubt = first_doubt if first_doubt is not None else service.monotonic()
                log.warning("digest #%s to %s: %s (attempt %d of %d)", delivery.digest_number,
                            delivery.channel_id, doubt, attempts, settings.max_attempts)  # fmt: skip
                with contextlib.suppress(StoreUnavailable):
                    await service.store.record_attempt(delivery, str(doubt))
                if attempts >= settings.max_attempts:
                    found = await self._look(delivery)  # did any of them get through after all?
                    if found is not None:
                        counters.found_in_channel += 1
                        return await self._sent(delivery, found)
                    return await self._failed(delivery, f"not posted after {attempts} attempts: {doubt}")
                await asyncio.sleep(min(30.0, settings.retry_base * 2**attempts) * random.uniform(0.8, 1.2))
                # Past the nonce window Discord may have forgotten the first attempt: look first.
                look = service.monotonic() - first_doubt > settings.nonce_window
                continue
            service.checkpoint("posted")
            return await self._sent(delivery, message_id)

    async def _wait_to_send(self, channel_id: int) -> None:
        """A turn under the rate limits, while the database is usable and this process's lease is
        fresh (checked again after the wait: the turn may take a while)."""
        while True:
            await self._healthy_and_fresh()
            await self._turn(channel_id)
            if self.halted is None and self.own.fresh():
                return

    async def _turn(self, channel_id: int | None) -> None:
        await self.limiter.acquire(channel_id)
        self.service.counters.rate_limit_waits = self.limiter.waits

    async def _healthy_and_fresh(self) -> None:
        while self.halted is not None or not self.own.fresh():
            await asyncio.sleep(0.2)

    async def _look(self, delivery: Delivery) -> int | None:
        """The digest's message in its channel, if an earlier attempt posted it. Tries until it
        gets an answer: posting without one could post twice."""
        assert delivery.digest_number is not None
        since = (delivery.claimed_at or delivery.slot) - timedelta(minutes=1)
        for attempt in itertools.count(1):
            await self._healthy_and_fresh()
            await self._turn(None)
            try:
                return await self.service.sender.find(delivery.channel_id, delivery.digest_number, since)
            except RateLimited as limited:
                if limited.is_global:
                    self.limiter.pause(limited.retry_after)
                await asyncio.sleep(limited.retry_after)
            except DeliveryUncertain as doubt:
                log.warning("could not read channel %s to look for digest #%s: %s",
                            delivery.channel_id, delivery.digest_number, doubt)  # fmt: skip
                await asyncio.sleep(min(30.0, self.service.settings.retry_base * 2**attempt))
        return None  # pragma: no cover

    async def _sent(self, delivery: Delivery, message_id: int) -> Outcome:
        store = self.service.store
        held = await self._record(lambda: store.mark_sent(delivery, self.owner, message_id, self.service.clock()))
        if not held:
            log.error("digest #%s in %s was posted (message %s) after its claim was taken over; the new holder "
                      "finds it in the channel", delivery.digest_number, delivery.channel_id, message_id)  # fmt: skip
        self.service.counters.sent += 1
        self.service.checkpoint("marked")
        return Outcome.SENT

    async def _refused(self, delivery: Delivery, reason: str) -> Outcome:
        """The channel refused for good (403, 404): the digest failed and the subscription pauses,
        keeping its settings, with the reason /digest list shows."""
        await self._failed(delivery, reason)
        store = self.service.store
        await self._record(lambda: store.set_status(delivery.subscription_id, PAUSED, reason))
        log.warning("channel %s refused digest #%s; paused: %s", delivery.channel_id, delivery.digest_number, reason)
        return Outcome.REFUSED

    async def _failed(self, delivery: Delivery, reason: str) -> Outcome:
        store = self.service.store
        await self._record(lambda: store.mark_failed(delivery, self.owner, reason, self.service.clock()))
        self.service.counters.failed += 1
        log.warning("digest #%s to %s failed for good: %s", delivery.digest_number, delivery.channel_id, reason)
        return Outcome.FAILED

    async def _record(self, write: Callable[[], Awaitable[T]]) -> T:
        """A write that must happen (what became of a digest): tried until the database takes it."""
        while True:
            try:
                result = await write()
            except StoreUnavailable as error:
                self._halt(error)
                await asyncio.sleep(1)
                continue
            self._healthy()
            return result
