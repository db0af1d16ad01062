"""Delivering digests exactly once: claim, send with a nonce, mark sent; re-send claims at start.

A tick finds subscriptions whose next slot has come. Slots missed while the bot was down: the
latest within the grace window is sent once, older ones are recorded as skipped. The claim (a
delivery row unique on subscription and slot, inserted in the transaction that advances the next
slot) makes each slot one digest however many processes tick; the nonce derived from subscription
and slot makes Discord drop a second copy when a crash between send and "sent" forces a re-send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.digest.compose import Pick, choose, digest_reply, eligible
from bot.digest.slots import next_slot, slots_between
from bot.digest.store import PAUSED, Delivery, Store, Subscription, utcnow
from bot.reply import Reply
from bot.router import Router

log = logging.getLogger(__name__)


class DeliveryRefused(Exception):
    """The channel refused the digest for good (403, 404): pause the subscription, saying why."""


class DeliveryFailed(Exception):
    """The digest could not be sent now (429, 5xx after retries): try again later, boundedly."""


# Post `reply` to `channel_id` with `nonce`; return the message id.
Sender = Callable[[int, Reply, str], Awaitable[int]]


@dataclass
class DigestService:
    store: Store
    router: Callable[[], Router]
    send: Sender
    grace: timedelta = timedelta(hours=2)
    # Whether this process schedules a guild (its shards); the unique claim is the safety net.
    mine: Callable[[int], bool] = lambda guild_id: True
    max_attempts: int = 5
    clock: Callable[[], datetime] = utcnow
    # Called at "after-claim" and "after-send": fault injection for the crash tests.
    checkpoint: Callable[[str], None] = lambda point: None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def tick(self) -> int:
        """Deliver whatever is due; returns how many digests were sent. Never raises."""
        async with self._lock:
            sent = 0
            try:
                now = self.clock()
                for sub in await asyncio.to_thread(self.store.due, now):
                    if self.mine(sub.guild_id):
                        sent += await self._due(sub, now)
                for delivery in await asyncio.to_thread(self.store.claimed, now - self.grace):
                    if 0 < delivery.attempts < self.max_attempts and self._owns(delivery):
                        sent += await self._deliver(delivery)
            except Exception:  # one bad row or a database hiccup must not stop the scheduler
                log.exception("digest tick failed; the next tick tries again")
            return sent

    async def recover(self) -> int:
        """At start: re-send digests claimed but not marked sent, with their own nonce."""
        async with self._lock:
            now = self.clock()
            expired = await asyncio.to_thread(
                self.store.expire_claims, now - self.grace, "not sent within the grace window (bot was down)"
            )
            if expired:
                log.warning("%d claimed digests were older than the grace window and are marked failed", expired)
            sent = 0
            for delivery in await asyncio.to_thread(self.store.claimed, now - self.grace):
                if self._owns(delivery):
                    sent += await self._deliver(delivery)
            return sent

    def picks(self, sub_channel: int, topics: tuple[str, ...], size: int) -> tuple[list[Pick], list[str]]:
        briefing = self.router().briefing
        rotation, _ = self.store.rotation(sub_channel)
        return choose(eligible(briefing, topics), rotation, size), [s.id for s in briefing.snippets]

    async def send_now(self, sub: Subscription) -> tuple[Delivery, bool]:
        """An extra digest now, outside the schedule; True when it was sent."""
        async with self._lock:
            picks, known = self.picks(sub.channel_id, sub.topics, sub.size)
            delivery = await asyncio.to_thread(self.store.send_now, sub, picks, known, self.clock())
            return delivery, bool(await self._deliver(delivery))

    async def _due(self, sub: Subscription, now: datetime) -> int:
        missed = slots_between(sub.schedule, sub.next_slot, now)
        following = next_slot(sub.schedule, now)
        latest = missed[-1]
        if now - latest > self.grace:
            await asyncio.to_thread(self.store.record_skipped, sub, missed, following, now)
            log.info("channel %s: %d slots missed beyond the grace window, skipped", sub.channel_id, len(missed))
            return 0
        picks, known = self.picks(sub.channel_id, sub.topics, sub.size)
        delivery = await asyncio.to_thread(
            self.store.claim,
            sub,
            slot=latest,
            skipped=missed[:-1],
            next_slot=following,
            picks=picks,
            known=known,
            now=now,
        )
        if delivery is None:
            return 0  # another process has it
        self.checkpoint("after-claim")
        return await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> int:
        reply = digest_reply(self.router(), delivery.snippet_ids, delivery.digest_number, delivery.topics)
        try:
            message_id = await self.send(delivery.channel_id, reply, delivery.nonce)
        except DeliveryRefused as refused:
            reason = str(refused)
            await asyncio.to_thread(self.store.mark_failed, delivery, reason, final=True)
            await asyncio.to_thread(self.store.set_status, delivery.subscription_id, PAUSED, reason)
            log.warning(
                "channel %s refused digest #%s; paused: %s", delivery.channel_id, delivery.digest_number, reason
            )
            return 0
        except DeliveryFailed as failed:
            final = delivery.attempts + 1 >= self.max_attempts
            await asyncio.to_thread(self.store.mark_failed, delivery, str(failed), final=final)
            log.warning("digest #%s to %s not sent (%s)%s", delivery.digest_number, delivery.channel_id, failed,
                        "; giving up" if final else "; will retry")  # fmt: skip
            return 0
        self.checkpoint("after-send")
        await asyncio.to_thread(self.store.mark_sent, delivery, message_id, self.clock())
        return 1

    def _owns(self, delivery: Delivery) -> bool:
        guild = self.store.guild_of(delivery.subscription_id)
        return guild is not None and self.mine(guild)
