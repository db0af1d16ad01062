"""Where digests are kept: subscriptions, deliveries and each channel's digest history.

SQLAlchemy Core over SQLite (a file under data/, WAL, busy timeout, write-locking transactions)
or PostgreSQL (DATABASE_URL). A delivery row is unique on (subscription, slot): claiming a slot
inserts it in the same transaction that advances the subscription's next slot, so however many
processes tick, each slot is claimed once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url

from bot.digest.compose import Pick, Rotation
from bot.digest.slots import Schedule, parse_time, parse_weekdays, parse_zone
from bot.limits import NONCE


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=False, unique=True),
    Column("time_of_day", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("weekdays", String(20), nullable=False),
    Column("topics", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("pause_reason", Text),
    Column("next_slot", UTCDateTime, nullable=False),
    Column("created_by", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_delivery_at", UTCDateTime),
    Column("digest_count", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("slot", UTCDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("nonce", String(NONCE), nullable=False),
    Column("digest_number", Integer),
    Column("snippet_ids", Text),
    Column("topics", Text),
    Column("message_id", BigInteger),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("subscription_id", "slot", name="one_delivery_per_slot"),
)

channel_history = Table(
    "channel_history",
    metadata,
    Column("channel_id", BigInteger, primary_key=True),
    Column("cycle", Integer, primary_key=True),
    Column("snippet_id", String(64), primary_key=True),
    Column("digest_number", Integer, nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("channel_id", BigInteger, primary_key=True),
    Column("cycle", Integer, nullable=False),
    Column("digest_count", Integer, nullable=False),
    Column("known_snippets", Text, nullable=False),
)

# Schema versions, in order: each migration takes the database from the version before it.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    lambda conn: metadata.create_all(
        conn, tables=[subscriptions, deliveries, channel_history, channels], checkfirst=True
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

ACTIVE, PAUSED = "active", "paused"
CLAIMED, SENT, SKIPPED, FAILED = "claimed", "sent", "skipped", "failed"


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


def nonce_for(subscription_id: int, slot: datetime) -> str:
    """The same digest always carries the same nonce (within Discord's NONCE characters)."""
    minutes = int(slot.timestamp() // 60)
    return f"d{_base36(subscription_id)}.{_base36(minutes)}"[:NONCE]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy's "begin" below open transactions, as BEGIN IMMEDIATE: a transaction takes
        # the write lock when it starts, so two processes never deadlock upgrading a read lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        store = cls(make_engine(url))
        store.migrate()
        return store

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION; safe when several processes start at once."""
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    schema_version.create(conn, checkfirst=True)
                    version = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
                    for number in range(version, SCHEMA_VERSION):
                        MIGRATIONS[number](conn)
                    if version < SCHEMA_VERSION:
                        conn.execute(delete(schema_version))
                        conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
                    return SCHEMA_VERSION
            except (exc.OperationalError, exc.ProgrammingError, exc.IntegrityError):
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))  # another process was migrating
        return SCHEMA_VERSION  # pragma: no cover

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- subscriptions ------------------------------------------------------------------------

    def subscribe(
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
        with self.transaction() as conn:
            existing = conn.execute(select(subscriptions.c.id).where(subscriptions.c.channel_id == channel_id)).first()
            if existing:
                conn.execute(update(subscriptions).where(subscriptions.c.id == existing.id).values(**values))
            else:
                conn.execute(
                    insert(subscriptions).values(
                        channel_id=channel_id, created_by=by, created_at=now, digest_count=0, **values
                    )
                )
            row = conn.execute(select(subscriptions).where(subscriptions.c.channel_id == channel_id)).one()
        return _subscription(row)

    def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        query = select(subscriptions).order_by(subscriptions.c.id)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        with self.engine.connect() as conn:
            return [_subscription(row) for row in conn.execute(query)]

    def guild_of(self, subscription_id: int) -> int | None:
        with self.engine.connect() as conn:
            query = select(subscriptions.c.guild_id).where(subscriptions.c.id == subscription_id)
            return conn.execute(query).scalar()

    def subscription(self, channel_id: int) -> Subscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscriptions).where(subscriptions.c.channel_id == channel_id)).first()
        return _subscription(row) if row else None

    def set_status(
        self, subscription_id: int, status: str, reason: str | None, next_slot: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status, "pause_reason": reason}
        if next_slot is not None:
            values["next_slot"] = next_slot
        with self.transaction() as conn:
            conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values))

    def remove(self, subscription_id: int) -> None:
        with self.transaction() as conn:
            conn.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
            conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))

    def due(self, now: datetime) -> list[Subscription]:
        query = select(subscriptions).where(subscriptions.c.status == ACTIVE, subscriptions.c.next_slot <= now)
        with self.engine.connect() as conn:
            return [_subscription(row) for row in conn.execute(query.order_by(subscriptions.c.next_slot))]

    # -- history ------------------------------------------------------------------------------

    def rotation(self, channel_id: int) -> tuple[Rotation, int]:
        """The channel's rotation state and how many digests it has had."""
        with self.engine.connect() as conn:
            return _rotation(conn, channel_id)

    # -- deliveries ---------------------------------------------------------------------------

    def claim(
        self,
        sub: Subscription,
        *,
        slot: datetime,
        skipped: Sequence[datetime],
        next_slot: datetime,
        picks: Sequence[Pick],
        known: Sequence[str],
        now: datetime,
    ) -> Delivery | None:
        """Claim `slot` for `sub`, record `skipped` slots, advance the next slot, and record the
        digest's snippets in the channel's history: all or nothing. None if already claimed."""
        try:
            with self.transaction() as conn:
                current = conn.execute(select(subscriptions).where(subscriptions.c.id == sub.id)).first()
                if current is None or current.status != ACTIVE or current.next_slot != sub.next_slot:
                    return None  # removed, paused, or another process moved it on
                for missed in skipped:
                    conn.execute(insert(deliveries).values(_delivery_values(sub, missed, SKIPPED, now)))
                conn.execute(update(subscriptions).where(subscriptions.c.id == sub.id).values(next_slot=next_slot))
                return _claim(conn, sub, slot, picks, known, now)
        except exc.IntegrityError:
            return None  # another process claimed this slot first

    def record_skipped(
        self, sub: Subscription, skipped: Sequence[datetime], next_slot: datetime, now: datetime
    ) -> bool:
        """Every missed slot was too old to send: record them and move on."""
        try:
            with self.transaction() as conn:
                current = conn.execute(select(subscriptions).where(subscriptions.c.id == sub.id)).first()
                if current is None or current.next_slot != sub.next_slot:
                    return False
                for missed in skipped:
                    conn.execute(insert(deliveries).values(_delivery_values(sub, missed, SKIPPED, now)))
                conn.execute(update(subscriptions).where(subscriptions.c.id == sub.id).values(next_slot=next_slot))
                return True
        except exc.IntegrityError:
            return False

    def send_now(self, sub: Subscription, picks: Sequence[Pick], known: Sequence[str], now: datetime) -> Delivery:
        """An extra digest outside the schedule (/digest send-now): claimed at `now`."""
        with self.transaction() as conn:
            return _claim(conn, sub, now, picks, known, now)

    def mark_sent(self, delivery: Delivery, message_id: int, now: datetime) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id)
                .values(status=SENT, message_id=message_id, sent_at=now, attempts=deliveries.c.attempts + 1)
            )
            conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id == delivery.subscription_id)
                .values(last_delivery_at=now, digest_count=subscriptions.c.digest_count + 1)
            )

    def mark_failed(self, delivery: Delivery, error: str, *, final: bool) -> None:
        values: dict[str, Any] = {"error": error, "attempts": deliveries.c.attempts + 1}
        if final:
            values["status"] = FAILED
        with self.transaction() as conn:
            conn.execute(update(deliveries).where(deliveries.c.id == delivery.id).values(**values))

    def claimed(self, since: datetime) -> list[Delivery]:
        """Deliveries claimed since `since` and not yet sent: to (re)send with their own nonce."""
        query = (
            select(deliveries)
            .where(deliveries.c.status == CLAIMED, deliveries.c.claimed_at >= since)
            .order_by(deliveries.c.id)
        )
        with self.engine.connect() as conn:
            return [_delivery(row) for row in conn.execute(query)]

    def expire_claims(self, before: datetime, reason: str) -> int:
        with self.transaction() as conn:
            result = conn.execute(
                update(deliveries)
                .where(deliveries.c.status == CLAIMED, deliveries.c.claimed_at < before)
                .values(status=FAILED, error=reason)
            )
            return int(result.rowcount)

    def deliveries(self, subscription_id: int | None = None) -> list[Delivery]:
        query = select(deliveries).order_by(deliveries.c.id)
        if subscription_id is not None:
            query = query.where(deliveries.c.subscription_id == subscription_id)
        with self.engine.connect() as conn:
            return [_delivery(row) for row in conn.execute(query)]

    def last_sent(self, subscription_id: int) -> Delivery | None:
        query = (
            select(deliveries)
            .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == SENT)
            .order_by(deliveries.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _delivery(row) if row else None


def _delivery_values(sub: Subscription, slot: datetime, status: str, now: datetime) -> dict[str, Any]:
    return {
        "subscription_id": sub.id,
        "channel_id": sub.channel_id,
        "slot": slot,
        "status": status,
        "nonce": nonce_for(sub.id, slot),
        "topics": ",".join(sub.topics),
        "attempts": 0,
        "claimed_at": now,
    }


def _claim(
    conn: Connection, sub: Subscription, slot: datetime, picks: Sequence[Pick], known: Sequence[str], now: datetime
) -> Delivery:
    """Insert the claimed delivery, numbered after the channel's last digest, and its history."""
    _, count = _rotation(conn, sub.channel_id)
    number = count + 1
    values = _delivery_values(sub, slot, CLAIMED, now)
    values.update(digest_number=number, snippet_ids=json.dumps([p.snippet_id for p in picks]))
    delivery_id = conn.execute(insert(deliveries).values(values)).inserted_primary_key[0]  # type: ignore[index]
    _record_history(conn, sub.channel_id, picks, number, known, now)
    return _delivery(conn.execute(select(deliveries).where(deliveries.c.id == delivery_id)).one())


def _rotation(conn: Connection, channel_id: int) -> tuple[Rotation, int]:
    row = conn.execute(select(channels).where(channels.c.channel_id == channel_id)).first()
    if row is None:
        return Rotation(), 0
    posted = conn.execute(
        select(channel_history.c.snippet_id).where(
            channel_history.c.channel_id == channel_id, channel_history.c.cycle == row.cycle
        )
    ).scalars()
    return Rotation(row.cycle, frozenset(posted), frozenset(json.loads(row.known_snippets))), row.digest_count


def _record_history(
    conn: Connection, channel_id: int, picks: Sequence[Pick], number: int, known: Sequence[str], now: datetime
) -> None:
    cycle = max((p.cycle for p in picks), default=None)
    for pick in picks:
        conn.execute(
            insert(channel_history).values(
                channel_id=channel_id, cycle=pick.cycle, snippet_id=pick.snippet_id, digest_number=number, posted_at=now
            )
        )
    state = conn.execute(select(channels).where(channels.c.channel_id == channel_id)).first()
    values = {"digest_count": number, "known_snippets": json.dumps(sorted(known))}
    if state is None:
        conn.execute(insert(channels).values(channel_id=channel_id, cycle=cycle or 1, **values))
    else:
        conn.execute(
            update(channels)
            .where(channels.c.channel_id == channel_id)
            .values(cycle=max(cycle or 1, state.cycle), **values)
        )


def _subscription(row: Any) -> Subscription:
    plan = Schedule(parse_time(row.time_of_day), parse_zone(row.timezone), _weekdays(row.weekdays))
    return Subscription(
        id=row.id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        schedule=plan,
        weekdays=row.weekdays,
        topics=tuple(t for t in row.topics.split(",") if t),
        size=row.size,
        status=row.status,
        pause_reason=row.pause_reason,
        next_slot=row.next_slot,
        last_delivery_at=row.last_delivery_at,
        digest_count=row.digest_count,
    )


def _weekdays(text: str) -> frozenset[int]:
    """Stored as day numbers ("0,1,2,3,4", Monday = 0); older rows may hold a phrase ("daily")."""
    parts = [p for p in text.split(",") if p]
    if parts and all(p.strip().isdigit() for p in parts):
        return frozenset(int(p) for p in parts)
    return parse_weekdays(text)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        channel_id=row.channel_id,
        slot=row.slot,
        status=row.status,
        nonce=row.nonce,
        digest_number=row.digest_number,
        snippet_ids=tuple(json.loads(row.snippet_ids)) if row.snippet_ids else (),
        topics=tuple(t for t in (row.topics or "").split(",") if t),
        message_id=row.message_id,
        attempts=row.attempts,
        error=row.error,
        claimed_at=row.claimed_at,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
