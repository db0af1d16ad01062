"""Alembic migrations of the digest tables; `bot.digest.database` runs them at start."""
