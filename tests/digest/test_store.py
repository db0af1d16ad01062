"""The digest database: Alembic migrations (from nothing, and from a database today's main wrote),
indexes for the tick, reads that never wait for a writer, and a SQLite file that disappears or
turns read-only while the bot runs."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text

from bot.digest.commands import DigestCommands
from bot.digest.database import HEAD, MIGRATIONS, StoreUnavailable, open_database, run_migrations
from bot.digest.store import CLAIMED, FAILED, SENT, Store
from bot.digest.tables import metadata
from bot.router import Router
from tests.digest.conftest import Clock, FakeChannel, empty_postgres, service, utc

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def sync_engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def load_main_fixture(db_url: str) -> None:
    """A database as today's main (e3c8f8c) wrote it: three subscriptions, digests sent, failed,
    skipped and one claimed but never marked (a crash), and each channel's history."""
    if db_url.startswith("sqlite"):
        connection = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        connection.executescript((FIXTURES / "main-e3c8f8c.sqlite.sql").read_text())
        connection.close()
        return
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql((FIXTURES / "main-e3c8f8c.postgresql.sql").read_text())
        conn.exec_driver_sql("SELECT pg_catalog.set_config('search_path', 'public', false)")
    engine.dispose()


def schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, constraints and indexes, as the database reports them."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in sorted(inspector.get_table_names()):
            if table == "alembic_version":
                continue
            found[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in
                            inspector.get_columns(table)],
                "primary": inspector.get_pk_constraint(table)["constrained_columns"],
                "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in
                                 inspector.get_unique_constraints(table)),
                "foreign": sorted((tuple(f["constrained_columns"]), f["referred_table"], str(f.get("options")))
                                  for f in inspector.get_foreign_keys(table)),
                "indexes": sorted((i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(table)),
            }  # fmt: skip
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"))
            for name, sql in rows:
                if name in found:
                    found[name]["sql"] = re.sub(r"\s+", " ", sql).strip()
    return found


def test_the_newest_revision_is_the_one_the_code_expects() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_current_head() == HEAD
    # Frozen revisions: none of them reads the code's table definitions.
    for path in (MIGRATIONS / "versions").glob("0*.py"):
        assert not re.search(r"^\s*(from|import) bot\b", path.read_text(), re.M), path.name


async def test_migrating_an_empty_database_gives_exactly_the_tables_the_code_reads(
    db_url: str, sync_engine: Engine
) -> None:
    database = await open_database(db_url)
    await database.dispose()
    with sync_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


async def test_the_first_revision_is_exactly_the_schema_main_wrote(db_url: str, tmp_path: Path) -> None:
    written_by_main = db_url
    # One PostgreSQL server: the two are compared one after the other there.
    by_alembic = f"sqlite:///{tmp_path / 'alembic.db'}" if db_url.startswith("sqlite") else db_url
    load_main_fixture(written_by_main)
    engine = create_engine(written_by_main)
    expected = schema(engine)
    engine.dispose()
    if not db_url.startswith("sqlite"):
        empty_postgres(db_url)
    database = await open_database(by_alembic, migrate=False)
    await run_migrations(database, "0001")
    await database.dispose()
    engine = create_engine(by_alembic)
    assert schema(engine) == expected
    engine.dispose()


async def test_a_database_written_by_main_upgrades_in_place_with_nothing_lost(db_url: str, router: Router) -> None:
    load_main_fixture(db_url)
    store = await Store.open(db_url)
    try:
        subs = await store.subscriptions()
        assert [(s.channel_id, f"{s.schedule.at:%H:%M}", s.schedule.zone.key, s.topics, s.status) for s in subs] == [
            (111, "08:00", "Europe/Berlin", ("arms",), "active"),
            (222, "07:30", "America/New_York", (), "active"),
            (333, "21:15", "Asia/Tokyo", ("sanctions",), "paused"),
        ]
        assert [s.digest_count for s in subs] == [4, 4, 1]
        statuses = [(d.channel_id, d.status, d.digest_number) for d in await store.deliveries()]
        assert statuses.count((111, SENT, 4)) == 1 and (333, FAILED, 2) in statuses and (111, CLAIMED, 5) in statuses
        assert len(statuses) == 11
        rotation, count = await store.rotation(111)
        assert count == 5 and rotation.cycle == 2 and len(rotation.posted) == 7  # history as it was
        with_history = create_engine(db_url)
        with with_history.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM channel_history")).scalar() == 33
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
            assert "schema_version" not in inspect(conn).get_table_names()
        with_history.dispose()
        # The claim main left behind (no lease owner) is taken over at once, looked for in its
        # channel, and posted with its own nonce as Digest #5; then the schedule goes on.
        clock, channel = Clock(utc(2026, 3, 6, 7, 45)), FakeChannel()
        digests = service(store, router, channel, clock)
        assert await digests.tick() == 1
        assert channel.looks == 1
        assert [(p.channel_id, p.reply.footer, p.nonce) for p in channel.messages] == [(111, "Digest #5", "d1.hla3o")]
        clock.now = utc(2026, 3, 6, 12, 30, 5)
        assert await digests.tick() == 1
        assert channel.messages[-1].reply.footer == "Digest #5" and channel.messages[-1].channel_id == 222
    finally:
        await store.close()


async def test_processes_starting_together_migrate_once(db_url: str) -> None:
    stores = await asyncio.gather(*(Store.open(db_url) for _ in range(3)))
    for store in stores:
        assert await store.subscriptions() == []
        await store.close()


async def test_reads_never_wait_for_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digests.db'}"
    store = await Store.open(url)
    writer = sqlite3.connect(tmp_path / "digests.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO channels VALUES (1, 1, 0, '[]')")  # another process, mid-transaction
    try:
        assert await asyncio.wait_for(store.subscriptions(), 2) == []
        assert await asyncio.wait_for(store.rotation(1), 2) == (await store.rotation(2))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        await store.close()


async def test_every_query_the_tick_runs_uses_an_index(tmp_path: Path, router: Router) -> None:
    """SQLite's own query plans for everything a claim round, a heartbeat and a takeover run, on a
    database with enough rows that a scan would show."""
    url = f"sqlite:///{tmp_path / 'digests.db'}"
    store = await Store.open(url)
    clock, channel = Clock(utc(2026, 3, 2, 6, 0)), FakeChannel()
    from tests.digest.test_service import subscribe

    for n in range(30):
        await subscribe(store, clock, channel=1000 + n)
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if not many and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, parameters))

    event.listen(store.db.engine.sync_engine, "before_cursor_execute", remember)
    digests = service(store, router, channel, clock)
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    assert await digests.tick() == 30
    await digests.pipeline._heartbeat()
    event.remove(store.db.engine.sync_engine, "before_cursor_execute", remember)
    await store.close()
    plans = sqlite3.connect(tmp_path / "digests.db")
    scans = []
    for statement, parameters in statements:
        if "sqlite_master" in statement or "julianday" in statement:
            continue
        for row in plans.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
            detail = row[-1]
            scan = re.match(r"SCAN (subscriptions|deliveries|channel_history|channels)\b", detail)
            if scan and "INDEX" not in detail:
                scans.append((detail, statement))
    plans.close()
    assert scans == []
    assert {s.split()[0] for s, _ in statements} >= {"SELECT", "UPDATE"}


async def test_a_sqlite_file_that_disappears_stops_digests_loudly_and_is_never_recreated(
    tmp_path: Path, router: Router, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "digests.db"
    store = await Store.open(f"sqlite:///{path}")
    clock, channel = Clock(utc(2026, 3, 2, 6, 0)), FakeChannel()
    from tests.digest.test_service import subscribe

    await subscribe(store, clock)
    digests = service(store, router, channel, clock)
    path.unlink()
    clock.now = utc(2026, 3, 2, 7, 0, 1)
    with pytest.raises(StoreUnavailable, match=f"the digest database {re.escape(str(path))} has disappeared"):
        await store.subscriptions()
    with caplog.at_level(logging.CRITICAL), pytest.raises(StoreUnavailable):
        await digests.tick()
    reply = await DigestCommands(digests).list(777)
    assert str(path) in (reply.description or "") and "Restore the file" in (reply.description or "")
    assert not path.exists()  # never recreated empty
    assert channel.messages == []
    await store.close()


async def test_a_read_only_database_stops_digests_until_it_is_writable(tmp_path: Path, router: Router) -> None:
    path = tmp_path / "digests.db"
    store = await Store.open(f"sqlite:///{path}")
    clock, channel = Clock(utc(2026, 3, 2, 6, 0)), FakeChannel()
    from tests.digest.test_service import subscribe

    await subscribe(store, clock)
    digests = service(store, router, channel, clock)
    await digests.start(schedule=False)
    try:
        path.chmod(0o444)
        clock.now = utc(2026, 3, 2, 7, 0, 1)
        digests.wake()
        await asyncio.sleep(0.5)
        assert channel.messages == [] and digests.pipeline.halted is not None
        assert f"the digest database {path} is read-only" in digests.pipeline.halted
        path.chmod(0o644)
        for _ in range(50):
            if channel.messages:
                break
            await asyncio.sleep(0.1)
        assert len(channel.messages) == 1 and digests.pipeline.halted is None
    finally:
        path.chmod(0o644)
        await digests.stop()
        await store.close()
