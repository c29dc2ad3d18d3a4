"""networks: groups whose members are groups, and their members

A group may be a network (``is_network``) with a policy of which member posts it
announces (``network_announce``: all, sharing or tagged). ``network_members`` is the
network's side of each membership: the member group (a remote actor, wherever it
lives), pending or approved, and whether it asked not to be announced. Groups made
before are plain groups.

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain constant defaults: SQLite then adds the columns in place. A default it must
    # evaluate (``sa.false()``) makes the batch copy the table, and dropping the old
    # ``groups`` cascades to every follower and post.
    with op.batch_alter_table("groups") as batch_op:
        batch_op.add_column(
            sa.Column("is_network", sa.Boolean(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "network_announce", sa.String(length=20), nullable=False, server_default="all"
            )
        )
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("announce", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["network_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["remote_actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("network_id", "actor_id"),
    )
    with op.batch_alter_table("network_members") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_members_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_members_actor_id"), ["actor_id"], unique=False)


def downgrade() -> None:
    op.drop_table("network_members")
    with op.batch_alter_table("groups") as batch_op:
        batch_op.drop_column("network_announce")
        batch_op.drop_column("is_network")
