"""needs followed through: helpers, urgency, quantity

A need's lifecycle beside its ``offers`` row: ``need_progress`` (urgency, quantity
asked and given), ``need_helpers`` (who is helping, and whether they agreed to be
thanked publicly), and ``remote_need_progress`` (the same, for needs received from
followed groups). The closing states ``partly`` and ``unmet`` fit ``offers.state``
as it is.

Revision ID: 0021
Revises: 0020
Create Date: 2027-03-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, store.db.UTCDateTime(timezone=True), nullable=nullable)


def _group() -> sa.Column[int]:
    return sa.Column("group_id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "need_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        _group(),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("given", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offer_id"),
    )
    with op.batch_alter_table("need_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_progress_group_id"), ["group_id"], unique=False)
    op.create_table(
        "need_helpers",
        sa.Column("id", sa.Integer(), nullable=False),
        _group(),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("object_ap_id", sa.String(length=2000), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("object_ap_id"),
        sa.UniqueConstraint("offer_id", "actor_ap_id"),
    )
    with op.batch_alter_table("need_helpers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_helpers_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_helpers_offer_id"), ["offer_id"], unique=False)
    op.create_table(
        "remote_need_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_offer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("given", sa.Integer(), nullable=True),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["remote_offer_id"], ["remote_offers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("remote_offer_id"),
    )


def downgrade() -> None:
    op.drop_table("remote_need_progress")
    with op.batch_alter_table("need_helpers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_helpers_offer_id"))
        batch_op.drop_index(batch_op.f("ix_need_helpers_group_id"))
    op.drop_table("need_helpers")
    with op.batch_alter_table("need_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_progress_group_id"))
    op.drop_table("need_progress")
