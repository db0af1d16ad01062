"""Where digests are kept: subscriptions, deliveries, each channel's digest history, and the
processes that deliver them. Every call is async and never blocks the event loop.

A delivery row is unique on (subscription, slot): claiming a slot inserts it in the same
transaction that advances the subscription's next slot, so however many processes tick, each slot
is claimed once. A claim is a lease: the row names the process holding it and when the lease ends
(on the database's clock); the holder renews it while the digest waits and is sent, and only claims
of processes that are gone are ever taken over (see `leases.py`).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Executable,
    and_,
    bindparam,
    delete,
    exc,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digest.compose import Pick, Rotation
from bot.digest.database import Database, open_database
from bot.digest.slots import Schedule, next_slot, parse_time, parse_weekdays, parse_zone, slots_between
from bot.digest.tables import (
    ACTIVE,
    CLAIMED,
    FAILED,
    ON_DEMAND,
    PAUSED,
    SCHEDULED,
    SENT,
    SKIPPED,
    channel_history,
    channels,
    deliveries,
    subscriptions,
    workers,
)

__all__ = ["ACTIVE", "CLAIMED", "FAILED", "ON_DEMAND", "PAUSED", "SCHEDULED", "SENT", "SKIPPED", "Store"]

log = logging.getLogger(__name__)
T = TypeVar("T")

CONSOLE_GUILD = 0  # the offline console is one channel in a guild of its own
# Written as a literal so that SQLite and PostgreSQL use the partial index on claims.
IS_CLAIMED = deliveries.c.status == literal_column("'claimed'")


@dataclass(frozen=True)
class Scope:
    """The subscriptions one process serves: the console's own guild, or the Discord guilds on its
    shards, `(guild_id >> 22) % shard_count in shard_ids` (all of them when unsharded)."""

    console: bool = False
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None

    def clause(self) -> ColumnElement[bool]:
        guild = subscriptions.c.guild_id
        if self.console:
            return guild == CONSOLE_GUILD
        clause = guild != CONSOLE_GUILD
        if self.shard_count and self.shard_ids is not None:
            clause = and_(clause, (guild.op(">>")(22) % self.shard_count).in_(self.shard_ids))
        return clause

    def includes(self, guild_id: int) -> bool:
        if self.console or guild_id == CONSOLE_GUILD:
            return self.console and guild_id == CONSOLE_GUILD
        if not self.shard_count or self.shard_ids is None:
            return True
        return (guild_id >> 22) % self.shard_count in self.shard_ids


@dataclass(frozen=True)
class Subscription:
    id: int
    guild_id: int
    channel_id: int
    schedule: Schedule
    weekdays: str
    topics: tuple[str, ...]
    size: int
    status: str
    pause_reason: str | None
    next_slot: datetime
    last_delivery_at: datetime | None
    digest_count: int


@dataclass(frozen=True)
class Delivery:
    id: int
    subscription_id: int
    channel_id: int
    slot: datetime
    status: str
    nonce: str
    digest_number: int | None
    snippet_ids: tuple[str, ...]
    topics: tuple[str, ...]
    message_id: int | None
    attempts: int
    error: str | None
    claimed_at: datetime | None
    sent_at: datetime | None = None
    kind: str = SCHEDULED
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    failed_at: datetime | None = None


@dataclass(frozen=True)
class Worker:
    owner: str
    host: str
    pid: int
    beats: int
    stopped: bool


# What goes into a digest for a subscription, given what its channel has had.
Compose = Callable[[Subscription, Rotation], list[Pick]]


@dataclass(frozen=True)
class Lease:
    """Who claims, and until when the claim is theirs unless renewed (database clock)."""

    owner: str
    until: datetime


def new_nonce() -> str:
    """A nonce names one delivery, never a minute: 24 random hex characters (Discord allows 25)."""
    return secrets.token_hex(12)


class Store:
    def __init__(self, database: Database) -> None:
        self.db = database

    @classmethod
    async def open(cls, url: str) -> Store:
        return cls(await open_database(url))

    async def close(self) -> None:
        await self.db.dispose()

    @property
    def name(self) -> str:
        return self.db.name

    # -- subscriptions ------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        plan: Schedule,
        weekdays: str,
        topics: Sequence[str],
        size: int,
        next_slot: datetime,
        by: int | None,
        now: datetime,
    ) -> Subscription:
        """Create the channel's subscription, or replace its settings (its history stays)."""
        values = {
            "guild_id": guild_id,
            "time_of_day": f"{plan.at:%H:%M}",
            "timezone": plan.zone.key,
            "weekdays": weekdays,
            "topics": ",".join(topics),
            "size": size,
            "status": ACTIVE,
            "pause_reason": None,
            "next_slot": next_slot,
        }
        async with self.db.write() as conn:
            query = select(subscriptions.c.id).where(subscriptions.c.channel_id == channel_id)
            existing = (await conn.execute(query)).first()
            if existing:
                await conn.execute(update(subscriptions).where(subscriptions.c.id == existing.id).values(**values))
            else:
                await conn.execute(
                    insert(subscriptions).values(
                        channel_id=channel_id, created_by=by, created_at=now, digest_count=0, **values
                    )
                )
            row = (await conn.execute(select(subscriptions).where(subscriptions.c.channel_id == channel_id))).one()
        return _subscription(row)

    async def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        query = select(subscriptions).order_by(subscriptions.c.id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        return await self._rows(query, _subscription)

    async def subscription(self, channel_id: int) -> Subscription | None:
        return await self._first(select(subscriptions).where(subscriptions.c.channel_id == channel_id), _subscription)

    async def set_status(
        self, subscription_id: int, status: str, reason: str | None, next_slot: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "pause_reason": reason}
        if next_slot is not None:
            values["next_slot"] = next_slot
        async with self.db.write() as conn:
            await conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values))

    async def remove(self, subscription_id: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
            await conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))

    async def earliest_due(self, scope: Scope) -> datetime | None:
        """When the next slot of any active subscription in scope comes: the scheduler wakes then."""
        query = select(func.min(subscriptions.c.next_slot)).where(subscriptions.c.status == ACTIVE, scope.clause())
        async with self.db.read() as conn:
            value = (await conn.execute(query)).scalar()
        return _as_utc(value)

    # -- history ------------------------------------------------------------------------------

    async def rotation(self, channel_id: int) -> tuple[Rotation, int]:
        """The channel's rotation state and how many digests it has had."""
        async with self.db.read() as conn:
            return (await _rotations(conn, [channel_id])).get(channel_id, (Rotation(), 0))

    # -- claims -------------------------------------------------------------------------------

    async def claim_due(
        self,
        *,
        now: datetime,
        scope: Scope,
        limit: int,
        grace: timedelta,
        lease: Lease,
        compose: Compose,
        known: Sequence[str],
    ) -> tuple[list[Delivery], bool]:
        """Claim up to `limit` due subscriptions in one transaction: the latest missed slot of each
        (if within `grace`) is claimed for `lease.owner`, older ones are recorded as skipped, next
        slots advance, and each digest's snippets join its channel's history. Returns the claims
        and whether more may be due. On PostgreSQL, rows another process is claiming are skipped
        (FOR UPDATE SKIP LOCKED); on SQLite the write lock makes one claimer at a time."""
        query = (
            select(subscriptions)
            .where(subscriptions.c.status == ACTIVE, subscriptions.c.next_slot <= now, scope.clause())
            .order_by(subscriptions.c.next_slot, subscriptions.c.id)
            .limit(limit)
        )
        if self.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        try:
            async with self.db.write() as conn:
                rows = (await conn.execute(query)).all()
                subs = [_subscription(row) for row in rows]
                skipped: list[dict[str, Any]] = []
                wanted: list[tuple[Subscription, datetime]] = []
                moves: list[dict[str, Any]] = []
                for sub in subs:
                    missed = slots_between(sub.schedule, sub.next_slot, now)
                    latest = missed[-1]
                    stale = missed if now - latest > grace else missed[:-1]
                    skipped += [_values(sub, slot, SKIPPED, now) for slot in stale]
                    if len(stale) < len(missed):
                        wanted.append((sub, latest))
                    moves.append({"b_id": sub.id, "b_next": next_slot(sub.schedule, now)})
                if stale_count := len(skipped):
                    await conn.execute(insert(deliveries), skipped)
                    log.info("%d missed slots recorded as skipped (beyond the grace window or superseded)", stale_count)
                claimed = await _claim(conn, wanted, now, lease, compose, known, SCHEDULED)
                if moves:
                    await conn.execute(
                        update(subscriptions)
                        .where(subscriptions.c.id == bindparam("b_id"))
                        .values(next_slot=bindparam("b_next")),
                        moves,
                    )
                return claimed, len(rows) == limit
        except exc.IntegrityError:
            log.warning("a slot was claimed by another process meanwhile; claiming again")
            return [], True

    async def claim_now(
        self, subscription_id: int, *, now: datetime, lease: Lease, compose: Compose, known: Sequence[str]
    ) -> Delivery | None:
        """An extra digest outside the schedule (/digest send-now), claimed at `now`, with its own
        number and nonce. None if the subscription is gone or paused."""
        query = select(subscriptions).where(subscriptions.c.id == subscription_id)
        if self.db.dialect == "postgresql":
            query = query.with_for_update()
        async with self.db.write() as conn:
            row = (await conn.execute(query)).first()
            if row is None or row.status != ACTIVE:
                return None
            (claimed,) = await _claim(conn, [(_subscription(row), now)], now, lease, compose, known, ON_DEMAND)
            return claimed

    async def mark_sent(self, delivery: Delivery, owner: str, message_id: int, now: datetime) -> bool:
        """Record the digest as posted; False if this process no longer held its lease."""
        async with self.db.write() as conn:
            result = await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id, IS_CLAIMED, deliveries.c.lease_owner == owner)
                .values(
                    status=SENT, message_id=message_id, sent_at=now, attempts=deliveries.c.attempts + 1,
                    lease_owner=None, lease_expires_at=None, error=None,
                )
            )  # fmt: skip
            if result.rowcount != 1:
                return False
            await conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == delivery.subscription_id)
                .values(last_delivery_at=now, digest_count=subscriptions.c.digest_count + 1)
            )
            return True

    async def mark_failed(self, delivery: Delivery, owner: str, error: str, now: datetime) -> bool:
        """Record the digest as failed for good. Its snippets leave the channel's history, so they
        come again in a later digest; nothing counts it as sent."""
        async with self.db.write() as conn:
            result = await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id, IS_CLAIMED, deliveries.c.lease_owner == owner)
                .values(status=FAILED, error=error, failed_at=now, lease_owner=None, lease_expires_at=None)
            )
            if result.rowcount != 1:
                return False
            if delivery.digest_number is not None:
                await conn.execute(
                    delete(channel_history).where(
                        channel_history.c.channel_id == delivery.channel_id,
                        channel_history.c.digest_number == delivery.digest_number,
                    )
                )
            return True

    async def record_attempt(self, delivery: Delivery, error: str) -> None:
        """A send that did not go through and will be tried again."""
        async with self.db.write() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id)
                .values(attempts=deliveries.c.attempts + 1, error=error)
            )

    async def abandon(self, delivery: Delivery, owner: str) -> None:
        """Give a claim up without knowing whether it was posted: anyone may recover it (and will
        look in the channel first)."""
        async with self.db.write() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id, IS_CLAIMED, deliveries.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None)
            )

    # -- processes and leases -----------------------------------------------------------------

    async def register(self, owner: str, host: str, pid: int, now: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                insert(workers).values(
                    owner=owner, host=host[:255], pid=pid, started_at=now, beats=0, beat_at=now, stopped=False
                )
            )

    async def heartbeat(self, lease: Lease, now: datetime) -> int:
        """This process lives: count a beat and renew the lease of every claim it holds. Returns how
        many claims it holds."""
        async with self.db.write() as conn:
            beat = await conn.execute(
                update(workers).where(workers.c.owner == lease.owner).values(beats=workers.c.beats + 1, beat_at=now)
            )
            if beat.rowcount != 1:
                log.error("this process's heartbeat row %s had gone; writing it again", lease.owner)
                await conn.execute(
                    insert(workers).values(
                        owner=lease.owner, host="?", pid=0, started_at=now, beats=1, beat_at=now, stopped=False
                    )
                )
            renewed = await conn.execute(
                update(deliveries)
                .where(IS_CLAIMED, deliveries.c.lease_owner == lease.owner)
                .values(lease_expires_at=lease.until)
            )
            return int(renewed.rowcount)

    async def workers(self) -> list[Worker]:
        return await self._rows(select(workers), lambda r: Worker(r.owner, r.host, r.pid, r.beats, bool(r.stopped)))

    async def take_over(
        self, gone: Sequence[str], *, scope: Scope, lease: Lease, now: datetime, limit: int
    ) -> list[Delivery]:
        """Claims of processes that are gone (or of none: claims left by the bot before leases)
        whose leases have ended become this process's. Never a live process's claim."""
        owner_gone: ColumnElement[bool] = deliveries.c.lease_owner.is_(None)
        if gone:
            owner_gone = or_(owner_gone, deliveries.c.lease_owner.in_(list(gone)))
        expired = or_(deliveries.c.lease_expires_at.is_(None), deliveries.c.lease_expires_at < now)
        query = (
            select(deliveries.c.id)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(IS_CLAIMED, owner_gone, expired, scope.clause())
            .order_by(deliveries.c.id)
            .limit(limit)
        )
        if self.db.dialect == "postgresql":
            query = query.with_for_update(of=deliveries, skip_locked=True)
        async with self.db.write() as conn:
            ids = list((await conn.execute(query)).scalars())
            if not ids:
                return []
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids), IS_CLAIMED, owner_gone, expired)
                .values(lease_owner=lease.owner, lease_expires_at=lease.until)
            )
            taken = select(deliveries).where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == lease.owner)
            return [_delivery(row) for row in await conn.execute(taken.order_by(deliveries.c.id))]

    async def retire(self, owner: str, now: datetime) -> None:
        """A clean stop: this process is gone and its unsent claims may be taken over at once."""
        async with self.db.write() as conn:
            await conn.execute(update(workers).where(workers.c.owner == owner).values(stopped=True, beat_at=now))
            await conn.execute(
                update(deliveries).where(IS_CLAIMED, deliveries.c.lease_owner == owner).values(lease_expires_at=now)
            )

    async def forget(self, gone: Sequence[str]) -> None:
        """Heartbeat rows of processes that are gone and hold no claims any more."""
        if not gone:
            return
        holding = select(deliveries.c.id).where(IS_CLAIMED, deliveries.c.lease_owner == workers.c.owner).exists()
        async with self.db.write() as conn:
            await conn.execute(delete(workers).where(workers.c.owner.in_(list(gone)), ~holding))

    # -- reads --------------------------------------------------------------------------------

    async def deliveries(self, subscription_id: int | None = None) -> list[Delivery]:
        query = select(deliveries).order_by(deliveries.c.id)
        if subscription_id is not None:
            query = query.where(deliveries.c.subscription_id == subscription_id)
        return await self._rows(query, _delivery)

    async def last(self, subscription_id: int, status: str) -> Delivery | None:
        query = (
            select(deliveries)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == status)
            .order_by(deliveries.c.id.desc())
            .limit(1)
        )
        return await self._first(query, _delivery)

    async def delivery(self, delivery_id: int) -> Delivery | None:
        return await self._first(select(deliveries).where(deliveries.c.id == delivery_id), _delivery)

    async def _rows(self, query: Executable, convert: Callable[[Any], T]) -> list[T]:
        """Every row a read-only query returns, converted."""
        async with self.db.read() as conn:
            return [convert(row) for row in await conn.execute(query)]

    async def _first(self, query: Executable, convert: Callable[[Any], T]) -> T | None:
        async with self.db.read() as conn:
            row = (await conn.execute(query)).first()
        return convert(row) if row else None


def _values(sub: Subscription, slot: datetime, status: str, now: datetime, kind: str = SCHEDULED) -> dict[str, Any]:
    return {
        "subscription_id": sub.id,
        "channel_id": sub.channel_id,
        "slot": slot,
        "status": status,
        "nonce": new_nonce(),
        "topics": ",".join(sub.topics),
        "attempts": 0,
        "claimed_at": now,
        "kind": kind,
        "digest_number": None,
        "snippet_ids": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }


async def _claim(
    conn: AsyncConnection,
    wanted: Sequence[tuple[Subscription, datetime]],
    now: datetime,
    lease: Lease,
    compose: Compose,
    known: Sequence[str],
    kind: str,
) -> list[Delivery]:
    """Insert claimed deliveries, numbered after each channel's last digest, and their history."""
    if not wanted:
        return []
    states = await _rotations(conn, [sub.channel_id for sub, _ in wanted])
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    channel_rows: list[dict[str, Any]] = []
    known_json = json.dumps(sorted(known))
    for sub, slot in wanted:
        rotation, count = states.get(sub.channel_id, (Rotation(), 0))
        picks = compose(sub, rotation)
        number = count + 1
        values = _values(sub, slot, CLAIMED, now, kind)
        values.update(
            digest_number=number,
            snippet_ids=json.dumps([p.snippet_id for p in picks]),
            lease_owner=lease.owner,
            lease_expires_at=lease.until,
        )
        rows.append(values)
        history += [
            {"channel_id": sub.channel_id, "cycle": p.cycle, "snippet_id": p.snippet_id, "digest_number": number,
             "posted_at": now}
            for p in picks
        ]  # fmt: skip
        cycle = max([rotation.cycle, *(p.cycle for p in picks)])
        channel_rows.append(
            {"b_channel": sub.channel_id, "cycle": cycle, "digest_count": number, "known_snippets": known_json,
             "new": sub.channel_id not in states}
        )  # fmt: skip
    inserted = await conn.execute(insert(deliveries).returning(deliveries, sort_by_parameter_order=True), rows)
    claimed = [_delivery(row) for row in inserted]
    if history:
        await conn.execute(insert(channel_history), history)
    fresh = [r for r in channel_rows if r["new"]]
    known_rows = [r for r in channel_rows if not r["new"]]
    if fresh:
        columns = ("cycle", "digest_count", "known_snippets")
        await conn.execute(
            insert(channels), [{"channel_id": r["b_channel"], **{k: r[k] for k in columns}} for r in fresh]
        )
    if known_rows:
        await conn.execute(
            update(channels)
            .where(channels.c.channel_id == bindparam("b_channel"))
            .values(
                cycle=bindparam("cycle"), digest_count=bindparam("digest_count"),
                known_snippets=bindparam("known_snippets"),
            ),
            [{k: v for k, v in r.items() if k != "new"} for r in known_rows],
        )  # fmt: skip
    return claimed


async def _rotations(conn: AsyncConnection, channel_ids: Sequence[int]) -> dict[int, tuple[Rotation, int]]:
    """Each channel's current cycle, what it has had in it, and its digest count, in two queries."""
    if not channel_ids:
        return {}
    ids = list(channel_ids)
    states = {row.channel_id: row for row in await conn.execute(select(channels).where(channels.c.channel_id.in_(ids)))}
    if not states:
        return {}
    posted: dict[int, set[str]] = {channel: set() for channel in states}
    query = (
        select(channel_history.c.channel_id, channel_history.c.snippet_id)
        .join(
            channels,
            and_(channels.c.channel_id == channel_history.c.channel_id, channels.c.cycle == channel_history.c.cycle),
        )
        .where(channel_history.c.channel_id.in_(ids))
    )
    for channel_id, snippet_id in await conn.execute(query):
        posted[channel_id].add(snippet_id)
    return {
        channel: (
            Rotation(row.cycle, frozenset(posted[channel]), frozenset(json.loads(row.known_snippets))),
            row.digest_count,
        )
        for channel, row in states.items()
    }


def _subscription(row: Any) -> Subscription:
    plan = Schedule(parse_time(row.time_of_day), parse_zone(row.timezone), _weekdays(row.weekdays))
    return _from_row(Subscription, row, schedule=plan, topics=tuple(t for t in row.topics.split(",") if t))


def _weekdays(text: str) -> frozenset[int]:
    """Stored as day numbers ("0,1,2,3,4", Monday = 0); older rows may hold a phrase ("daily")."""
    parts = [p for p in text.split(",") if p]
    if parts and all(p.strip().isdigit() for p in parts):
        return frozenset(int(p) for p in parts)
    return parse_weekdays(text)


def _delivery(row: Any) -> Delivery:
    return _from_row(
        Delivery,
        row,
        snippet_ids=tuple(json.loads(row.snippet_ids)) if row.snippet_ids else (),
        topics=tuple(t for t in (row.topics or "").split(",") if t),
    )


def _from_row(kind: type[T], row: Any, **converted: Any) -> T:
    """A row as the dataclass whose fields are named like its columns; `converted` gives the rest."""
    named = {f.name: getattr(row, f.name) for f in fields(kind) if f.name not in converted}  # type: ignore[arg-type]
    return kind(**named, **converted)


def _as_utc(value: Any) -> datetime | None:
    """A min() over a UTC column: SQLite hands back its text, PostgreSQL an aware datetime."""
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
