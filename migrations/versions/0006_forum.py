"""forum: members' posts and messages to groups, posting policy, objects relayed by a group

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-03 23:40:00

After 0003, whose remote offers and events gain the group that relayed them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        # Groups that exist keep today's broadcast behaviour; new ones default to approval.
        batch_op.add_column(
            sa.Column("posting", sa.String(length=20), nullable=False, server_default="organizers")
        )
        batch_op.add_column(
            sa.Column(
                "announce_replies", sa.String(length=20), nullable=False, server_default="top-level"
            )
        )
    for table in ("remote_objects", "remote_offers", "remote_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("via", sa.String(length=2000), nullable=True))
    op.create_table(
        "group_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("object_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("in_reply_to", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=False),
        sa.Column("announce_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("relay_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("received_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "object_ap_id"),
    )
    with op.batch_alter_table("group_messages", schema=None) as batch_op:
        batch_op.create_index("ix_group_messages_queue", ["group_id", "status", "id"])
        batch_op.create_index("ix_group_messages_thread", ["in_reply_to"])
        batch_op.create_index(
            batch_op.f("ix_group_messages_actor_ap_id"), ["actor_ap_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("group_messages")
    for table in ("remote_objects", "remote_offers", "remote_events"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("via")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("announce_replies")
        batch_op.drop_column("posting")
