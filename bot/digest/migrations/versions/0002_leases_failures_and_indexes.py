"""Leases on claims, process heartbeats, send-now marked apart, failures dated, indexes for the tick.

Revision ID: 0002
Revises: 0001
Create Date: 2026-10-20

Frozen. Claims left by the old code have no lease owner: recovery treats them as abandoned and
looks in the channel before posting them again. The home-made `schema_version` table goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CLAIMED = sa.text("status = 'claimed'")


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("kind", sa.String(10), nullable=False, server_default="scheduled"))
    op.add_column("deliveries", sa.Column("lease_owner", sa.String(32)))
    op.add_column("deliveries", sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
    op.add_column("deliveries", sa.Column("failed_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE deliveries SET failed_at = claimed_at WHERE status = 'failed'")
    op.create_table(
        "digest_workers",
        sa.Column("owner", sa.String(32), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beats", sa.Integer, nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped", sa.Boolean, nullable=False),
    )
    op.create_index("ix_subscriptions_due", "subscriptions", ["status", "next_slot"])
    op.create_index("ix_subscriptions_guild", "subscriptions", ["guild_id"])
    op.create_index(
        "ix_deliveries_claimed",
        "deliveries",
        ["lease_owner", "lease_expires_at"],
        sqlite_where=CLAIMED,
        postgresql_where=CLAIMED,
    )
    op.create_index("ix_deliveries_subscription_status", "deliveries", ["subscription_id", "status", "id"])
    op.drop_table("schema_version")


def downgrade() -> None:
    op.create_table("schema_version", sa.Column("version", sa.Integer, nullable=False))
    op.execute("INSERT INTO schema_version (version) VALUES (1)")
    for index, table in (
        ("ix_deliveries_subscription_status", "deliveries"),
        ("ix_deliveries_claimed", "deliveries"),
        ("ix_subscriptions_guild", "subscriptions"),
        ("ix_subscriptions_due", "subscriptions"),
    ):
        op.drop_index(index, table_name=table)
    op.drop_table("digest_workers")
    for column in ("failed_at", "lease_expires_at", "lease_owner", "kind"):
        op.drop_column("deliveries", column)
