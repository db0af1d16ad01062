"""A digest store on SQLite and on PostgreSQL, and a sender that behaves like a Discord channel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.digest.service import DeliveryFailed, DeliveryRefused
from bot.digest.store import Store, metadata, schema_version
from bot.reply import Reply

POSTGRES = "BRIEFBOT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'digests.db'}"
        return
    url = os.environ.get(POSTGRES)
    if not url:
        pytest.skip(f"{POSTGRES} is unset: .ci/run starts PostgreSQL on 127.0.0.1 and sets it")
    store = Store.open(url)  # a clean schema for each test
    with store.engine.begin() as conn:
        metadata.drop_all(conn)
        schema_version.drop(conn, checkfirst=True)
        conn.execute(text("SELECT 1"))
    store.engine.dispose()
    yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.engine.dispose()


@dataclass
class FakeChannel:
    """Posts like Discord: a repeated nonce returns the first message instead of a second one."""

    messages: list[tuple[int, Reply, str, int]] = field(default_factory=list)
    refuse: dict[int, str] = field(default_factory=dict)
    failures: int = 0
    next_id: int = 1000

    async def __call__(self, channel_id: int, reply: Reply, nonce: str) -> int:
        if channel_id in self.refuse:
            raise DeliveryRefused(self.refuse[channel_id])
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("Discord answered 503")
        for channel, _, seen, message_id in self.messages:
            if channel == channel_id and seen == nonce:
                return message_id
        self.next_id += 1
        self.messages.append((channel_id, reply, nonce, self.next_id))
        return self.next_id

    def in_channel(self, channel_id: int) -> list[Reply]:
        return [reply for channel, reply, _, _ in self.messages if channel == channel_id]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
