"""The digest tables as the code reads them (SQLAlchemy Core), at the newest migration.

The migrations in `migrations/versions/` are frozen: each spells out its own tables and never
imports these, so a later change here cannot rewrite history. A test checks that upgrading an
empty database to the newest revision gives exactly these tables and indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)


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


ACTIVE, PAUSED = "active", "paused"
CLAIMED, SENT, SKIPPED, FAILED = "claimed", "sent", "skipped", "failed"
SCHEDULED, ON_DEMAND = "scheduled", "now"

metadata = MetaData()

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
    # The tick: active subscriptions whose next slot has come, and the earliest next slot.
    Index("ix_subscriptions_due", "status", "next_slot"),
    Index("ix_subscriptions_guild", "guild_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", BigInteger, nullable=False),
    Column("slot", UTCDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    # Random, one per delivery: Discord drops a second message with the same nonce for a few minutes.
    Column("nonce", String(25), nullable=False),
    Column("digest_number", Integer),
    Column("snippet_ids", Text),
    Column("topics", Text),
    Column("message_id", BigInteger),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("kind", String(10), nullable=False, server_default=SCHEDULED),
    # The lease: which process holds the claim, and until when (the database's clock).
    Column("lease_owner", String(32)),
    Column("lease_expires_at", UTCDateTime),
    Column("failed_at", UTCDateTime),
    UniqueConstraint("subscription_id", "slot", name="one_delivery_per_slot"),
    # Heartbeats renew an owner's claims; recovery looks for expired ones. Only claims are indexed.
    Index(
        "ix_deliveries_claimed",
        "lease_owner",
        "lease_expires_at",
        sqlite_where=text("status = 'claimed'"),
        postgresql_where=text("status = 'claimed'"),
    ),
    Index("ix_deliveries_subscription_status", "subscription_id", "status", "id"),
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

# One row per running process that delivers digests: its heartbeat counter tells others it lives.
workers = Table(
    "digest_workers",
    metadata,
    Column("owner", String(32), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("beats", Integer, nullable=False),
    Column("beat_at", UTCDateTime, nullable=False),
    Column("stopped", Boolean, nullable=False),
)
