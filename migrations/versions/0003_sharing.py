"""sharing: offers and needs, events and RSVPs, polls and votes, responses, received items

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24 10:00:00

An independent branch from 0001 (``mutuals migrate`` upgrades every head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remote_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ap_id", sa.String(length=2000), nullable=False),
        sa.Column("attributed_to", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("starts_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("place_name", sa.String(length=500), nullable=True),
        sa.Column("place_address", sa.String(length=500), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("updated", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ap_id"),
    )
    with op.batch_alter_table("remote_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remote_events_attributed_to"), ["attributed_to"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_remote_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "remote_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ap_id", sa.String(length=2000), nullable=False),
        sa.Column("attributed_to", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("area", sa.String(length=500), nullable=True),
        sa.Column("valid_until", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("published", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ap_id"),
    )
    with op.batch_alter_table("remote_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remote_offers_attributed_to"), ["attributed_to"], unique=False
        )
        batch_op.create_index("ix_remote_offers_board", ["state", "kind"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("starts_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("place_address", sa.String(length=500), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("valid_until", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("closed_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id"),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index("ix_offers_listing", ["group_id", "state", "kind"], unique=False)

    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("closes_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id"),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_group_id"), ["group_id"], unique=False)

    op.create_table(
        "post_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("object_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("published", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("object_ap_id"),
    )
    with op.batch_alter_table("post_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_responses_post_id"), ["post_id"], unique=False)

    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("activity_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("updated_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "actor_ap_id"),
    )
    op.create_table(
        "poll_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("option", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.String(length=200), nullable=False),
        sa.Column("object_ap_id", sa.String(length=2000), nullable=False),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("object_ap_id"),
        sa.UniqueConstraint("poll_id", "actor_ap_id", "option"),
        sa.UniqueConstraint("poll_id", "actor_ap_id", "slot"),
    )


def downgrade() -> None:
    op.drop_table("poll_votes")
    op.drop_table("event_rsvps")
    with op.batch_alter_table("post_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_responses_post_id"))

    op.drop_table("post_responses")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_group_id"))

    op.drop_table("polls")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_listing")

    op.drop_table("offers")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_events_group_id"))

    op.drop_table("events")
    with op.batch_alter_table("remote_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_remote_offers_board")
        batch_op.drop_index(batch_op.f("ix_remote_offers_attributed_to"))

    op.drop_table("remote_offers")
    with op.batch_alter_table("remote_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remote_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_remote_events_attributed_to"))

    op.drop_table("remote_events")
