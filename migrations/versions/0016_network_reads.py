"""network reads: groups the directory learned from networks' members collections

``network_reads`` records when this instance last read a network's ``members`` (a
network a local group joined, or a member of a local network) and why the read failed,
if it did; ``known_groups`` the remote groups each read found, listed in the directory
beside the groups followed either way.

Revision ID: 0016
Revises: 0015
Create Date: 2027-02-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=2000), nullable=False),
        sa.Column("read_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network"),
    )
    op.create_table(
        "known_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("via_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["via_id"], ["network_reads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["remote_actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("via_id", "actor_id"),
    )
    with op.batch_alter_table("known_groups") as batch_op:
        batch_op.create_index(batch_op.f("ix_known_groups_actor_id"), ["actor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("known_groups") as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_groups_actor_id"))
    op.drop_table("known_groups")
    op.drop_table("network_reads")
