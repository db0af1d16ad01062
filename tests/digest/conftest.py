"""A digest store on SQLite and on PostgreSQL, and a sender that behaves like a Discord channel."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.digest.compose import carries_marker
from bot.digest.service import DeliveryRefused, DeliveryUncertain, DigestService, DigestSettings
from bot.digest.store import Store
from bot.reply import Reply
from bot.router import Router

POSTGRES = "BRIEFBOT_TEST_POSTGRES_URL"
TABLES = ("deliveries", "channel_history", "channels", "subscriptions", "digest_workers", "schema_version",
          "alembic_version")  # fmt: skip


def postgres_url() -> str:
    """The test server's URL; under pytest-xdist, a database of the worker's own (tests drop tables)."""
    url = os.environ.get(POSTGRES)
    if not url:
        pytest.skip(f"{POSTGRES} is unset: .ci/run starts PostgreSQL on 127.0.0.1 and sets it")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"briefbot_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def empty_postgres(url: str) -> None:
    """Drop every digest table: each test starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'digests.db'}"
        return
    url = postgres_url()
    empty_postgres(url)
    yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(db_url)
    yield opened
    await opened.close()


@dataclass
class Posted:
    channel_id: int
    reply: Reply
    nonce: str
    message_id: int
    at: float


@dataclass
class FakeChannel:
    """Posts like Discord: a nonce seen in the channel within `nonce_ttl` seconds returns the first
    message instead of a second one; `fail` makes the next sends end in doubt, before or after the
    message was created; `refuse` answers a channel with 403."""

    messages: list[Posted] = field(default_factory=list)
    refuse: dict[int, str] = field(default_factory=dict)
    fail: list[str] = field(default_factory=list)  # "lost" (not created) or "created" (created, answer lost)
    nonce_ttl: float = 300.0
    delay: float = 0.0
    looks: int = 0
    next_id: int = 1000

    async def post(self, channel_id: int, reply: Reply, nonce: str) -> int:
        if self.delay:
            await asyncio.sleep(self.delay)
        if channel_id in self.refuse:
            raise DeliveryRefused(self.refuse[channel_id])
        doubt = self.fail.pop(0) if self.fail else None
        if doubt == "lost":
            raise DeliveryUncertain("TimeoutError")
        now = time.monotonic()
        for seen in self.messages:
            if seen.channel_id == channel_id and seen.nonce == nonce and now - seen.at < self.nonce_ttl:
                return seen.message_id
        self.next_id += 1
        self.messages.append(Posted(channel_id, reply, nonce, self.next_id, now))
        if doubt == "created":
            raise DeliveryUncertain("ServerDisconnectedError")
        return self.next_id

    async def find(self, channel_id: int, number: int, since: datetime) -> int | None:
        self.looks += 1
        for seen in self.messages:
            if seen.channel_id == channel_id and carries_marker(seen.reply.footer, number):
                return seen.message_id
        return None

    def in_channel(self, channel_id: int) -> list[Reply]:
        return [p.reply for p in self.messages if p.channel_id == channel_id]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Short leases so that takeover tests wait well under a second of real time.
# Channels' own limit relaxed so that retries to one channel need not wait.
FAST = DigestSettings(
    lease_seconds=0.6, send_timeout=0.2, retry_base=0.01, nonce_window=120, senders=4, channel_limit=(100, 1.0)
)


def service(store: Store, router: Router, channel: FakeChannel, clock: Clock, **settings: Any) -> DigestService:
    chosen = DigestSettings(**{**FAST.__dict__, **settings})
    return DigestService(store, lambda: router, channel, settings=chosen, clock=clock)
