"""Alembic's entry point. The bot runs migrations itself (bot.digest.database.migrate) on a
connection it has already opened and locked; `alembic` on the command line is not needed."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.digest.database.migrate, which passes a connection")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
