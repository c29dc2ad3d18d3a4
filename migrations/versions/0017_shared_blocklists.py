"""shared blocklists: reasons, public rules, and allies' lists followed

``domain_rule_notes`` adds to a domain rule its ``reason`` (shown with the rule when it
is published), ``public`` (published at ``/blocklist.json`` and ``/blocklist.csv``) and
``source`` (the URL of the subscribed list that brought the rule; NULL for a rule made
here). Every rule made before has no note: private, made here, no reason. A table of
its own, keyed by domain, because ``domain_blocks`` is made on the branch of
0002_moderation and this one follows 0016. ``blocklist_subscriptions`` are the allies'
lists this instance follows, with when each was last read and why the last read was
refused; ``blocklist_entries`` the rules of each list's last good copy.

Revision ID: 0017
Revises: 0016
Create Date: 2027-02-17 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_rule_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("domain"),
    )
    op.create_table(
        "blocklist_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("limit_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("good_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "blocklist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("suspend", sa.Boolean(), nullable=False),
        sa.Column("silence", sa.Boolean(), nullable=False),
        sa.Column("reject_media", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["blocklist_subscriptions.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "domain"),
    )
    with op.batch_alter_table("blocklist_entries") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blocklist_entries_subscription_id"), ["subscription_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_blocklist_entries_domain"), ["domain"], unique=False)


def downgrade() -> None:
    op.drop_table("blocklist_entries")
    op.drop_table("blocklist_subscriptions")
    op.drop_table("domain_rule_notes")
