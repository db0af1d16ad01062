"""The schema as briefbot wrote it before Alembic (its home-made migrator's version 1).

Revision ID: 0001
Revises:
Create Date: 2026-10-20

Frozen: exactly the tables that `metadata.create_all` made at commit e3c8f8c, column for column,
including its `schema_version` table. Databases written then are stamped with this revision
instead of running it (see bot.digest.database).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("schema_version", sa.Column("version", sa.Integer, nullable=False))
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("channel_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("time_of_day", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("weekdays", sa.String(20), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("pause_reason", sa.Text),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_delivery_at", sa.DateTime(timezone=True)),
        sa.Column("digest_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("nonce", sa.String(25), nullable=False),
        sa.Column("digest_number", sa.Integer),
        sa.Column("snippet_ids", sa.Text),
        sa.Column("topics", sa.Text),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("subscription_id", "slot", name="one_delivery_per_slot"),
    )
    op.create_table(
        "channel_history",
        sa.Column("channel_id", sa.BigInteger, primary_key=True),
        sa.Column("cycle", sa.Integer, primary_key=True),
        sa.Column("snippet_id", sa.String(64), primary_key=True),
        sa.Column("digest_number", sa.Integer, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("channel_id", sa.BigInteger, primary_key=True),
        sa.Column("cycle", sa.Integer, nullable=False),
        sa.Column("digest_count", sa.Integer, nullable=False),
        sa.Column("known_snippets", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO schema_version (version) VALUES (1)")


def downgrade() -> None:
    for table in ("channels", "channel_history", "deliveries", "subscriptions", "schema_version"):
        op.drop_table(table)
