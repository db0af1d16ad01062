"""The digest database: an async engine, reads that never take the write lock, migrations at start,
and a SQLite file that is never silently replaced.

SQLAlchemy's asyncio extension over aiosqlite (SQLite) or psycopg's async driver (PostgreSQL): the
event loop hands each statement to the driver and goes on serving Discord while it runs. On SQLite
(WAL), reads run in plain deferred transactions, which never wait for a writer; writes begin with
BEGIN IMMEDIATE, so two processes never deadlock upgrading a read lock, and writers in one process
queue on an asyncio lock instead of spinning in SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import stat
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, exc, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0002"  # the newest revision in migrations/versions (a test holds them equal)
_WRITE = "briefbot_write"
_MIGRATION_LOCK = 0x62726966  # PostgreSQL advisory lock taken while migrating ("brif")


class StoreUnavailable(Exception):
    """The digest database cannot be used (gone, read-only, replaced, unreachable): digests stop
    until it is back. The message names the database and what to do."""


@dataclass
class SqliteFile:
    """The database file the bot opened. Deleted, replaced or made read-only under a running bot,
    SQLite would go on writing to the unlinked file, or open a new empty one: stop instead."""

    path: Path
    identity: tuple[int, int]

    @classmethod
    def open(cls, path: Path) -> SqliteFile:
        import sqlite3

        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            log.warning("creating a new, empty digest database at %s", path)
        connection = sqlite3.connect(path, timeout=30)
        try:
            _use_wal(connection)
        finally:
            connection.close()
        info = path.stat()
        return cls(path, (info.st_dev, info.st_ino))

    def check(self) -> None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise StoreUnavailable(
                f"the digest database {self.path} has disappeared: digests are stopped. Restore the file "
                "(from a backup) and restart the bot; it is never recreated empty while the bot runs."
            ) from None
        if (info.st_dev, info.st_ino) != self.identity:
            raise StoreUnavailable(
                f"the digest database {self.path} was replaced by another file while the bot ran: digests are "
                "stopped. Restart the bot to use the new file."
            )
        if not info.st_mode & stat.S_IWUSR or not os.access(self.path, os.W_OK):
            raise StoreUnavailable(
                f"the digest database {self.path} is read-only: digests are stopped until it is writable again."
            )


@dataclass
class Database:
    engine: AsyncEngine
    url: URL
    file: SqliteFile | None = None
    _writer: AsyncEngine | None = None
    _write_lock: asyncio.Lock | None = None
    _names: dict[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def name(self) -> str:
        """The database as an operator knows it: the file, or the URL without its password."""
        return str(self.file.path) if self.file else self.url.render_as_string(hide_password=True)

    def check(self) -> None:
        if self.file is not None:
            self.file.check()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only snapshot; never waits for writers."""
        self.check()
        try:
            async with self.engine.connect() as conn:
                yield conn
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise self.unavailable(error) from error

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        self.check()
        writer = self._writer or self.engine
        try:
            if self._write_lock is None:
                async with writer.begin() as conn:
                    yield conn
            else:
                async with self._write_lock, writer.begin() as conn:
                    yield conn
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise self.unavailable(error) from error

    def unavailable(self, error: Exception) -> StoreUnavailable:
        try:
            self.check()
        except StoreUnavailable as gone:
            return gone
        cause = getattr(error, "orig", None) or error
        return StoreUnavailable(f"the digest database {self.name} cannot be used: {cause}")

    async def now(self) -> datetime:
        """The database's clock. Leases are measured on it, so hosts whose clocks disagree or jump
        still agree on when a lease ends."""
        query = (
            "SELECT (julianday('now') - 2440587.5) * 86400.0"
            if self.dialect == "sqlite"
            else "SELECT extract(epoch FROM clock_timestamp())"
        )
        async with self.read() as conn:
            seconds = (await conn.execute(text(query))).scalar_one()
        return datetime.fromtimestamp(float(seconds), UTC)

    async def dispose(self) -> None:
        await self.engine.dispose()


def async_url(url: str) -> URL:
    """The settings' URL with an async driver: aiosqlite for SQLite, psycopg (async) for PostgreSQL."""
    parsed = make_url(url)
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite" and driver != "aiosqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql" and driver not in ("psycopg", "asyncpg"):
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


async def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open the database, create a missing SQLite file once (at start only), and migrate it."""
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = _open_sqlite(parsed)
    else:
        engine = create_async_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
        database = Database(engine, parsed)
    if migrate:
        try:
            await run_migrations(database)
        except BaseException:
            await database.dispose()
            raise
    return database


def _open_sqlite(url: URL) -> Database:
    name = url.database
    if not name or name == ":memory:":
        engine = create_async_engine(url, poolclass=StaticPool)
        _sqlite_events(engine)
        return Database(engine, url, _write_lock=asyncio.Lock())
    path = Path(name).resolve()
    file = SqliteFile.open(path)
    # mode=rw: a connection opened later never creates the file again if it has gone.
    connect = make_url(f"sqlite+aiosqlite:///file:{quote(str(path))}?mode=rw&uri=true")
    engine = create_async_engine(connect, connect_args={"timeout": 30}, pool_size=5, max_overflow=5)
    _sqlite_events(engine)
    return Database(engine, url, file, engine.execution_options(**{_WRITE: True}), asyncio.Lock())


def _use_wal(connection: Any) -> None:
    """Put the file in WAL mode, once (the mode stays with the file). Switching needs the file to
    itself, and SQLite refuses at once, without waiting, when processes opening a new file together
    would otherwise deadlock: so it is tried again for a while."""
    import sqlite3

    for attempt in itertools.count():
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt >= 300:
                raise
            time.sleep(0.1)


def _sqlite_events(engine: AsyncEngine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":  # a file: already WAL (SqliteFile.open); in memory: no WAL
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL loses nothing when a process dies (kill -9); only a power cut can take
        # the last commits, and then recovery looks in the channel before posting again.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


async def run_migrations(database: Database, target: str = HEAD) -> str:
    """Bring the schema to `target` (the newest revision) with Alembic; safe when several processes
    start at once (they queue on SQLite's write lock or PostgreSQL's advisory lock, and the later
    ones find nothing to do). A database written before Alembic (a `schema_version` table at 1) is
    stamped 0001, then upgraded."""
    async with database.write() as conn:
        return await conn.run_sync(_migrate, target)


def _migrate(conn: Connection, target: str) -> str:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current == target:
            return target
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if "alembic_version" not in tables and "schema_version" in tables:
        version = conn.execute(text("SELECT max(version) FROM schema_version")).scalar()
        if version != 1:
            raise StoreUnavailable(f"the digest database has schema version {version}, which this bot does not know")
        log.info("digest database from before Alembic (schema version 1): stamping revision 0001")
        command.stamp(config, "0001")
    command.upgrade(config, target)
    return target
