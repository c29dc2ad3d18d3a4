"""queues: lease tokens, one delivery per (activity, inbox), fan-out jobs, delivery hosts

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 10:00:00

An independent branch from 0001 (``mutuals migrate`` upgrades every head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("deliveries", "inbox_items"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ux_deliveries_activity_inbox", ["activity_id", "inbox"], unique=True)
    op.create_table(
        "fanouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fanouts", schema=None) as batch_op:
        batch_op.create_index("ix_fanouts_claim", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "delivery_hosts",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("failure_days", sa.Integer(), nullable=False),
        sa.Column("last_failure_day", sa.Date(), nullable=True),
        sa.Column("paused_until", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unavailable", sa.Boolean(), nullable=False),
        sa.Column("unavailable_since", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("host"),
    )


def downgrade() -> None:
    op.drop_table("delivery_hosts")
    with op.batch_alter_table("fanouts", schema=None) as batch_op:
        batch_op.drop_index("ix_fanouts_claim")
    op.drop_table("fanouts")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ux_deliveries_activity_inbox")
    for table in ("deliveries", "inbox_items"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("lease_token")
