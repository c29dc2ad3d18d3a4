"""volunteers, skills, mentors and recognition

``volunteers`` are the people who volunteer for a group (from the public form, a reply
to the group's call, or an organizer), with their skills, availability, area, whether
they are listed (or asked to be, waiting for an organizer), and their mentor;
``volunteer_calls`` the posts calling for them; ``volunteer_help`` each time one
helped; ``volunteer_roles`` the roles a group wrote criteria for, and
``volunteer_badges`` the roles granted.

Revision ID: 0024
Revises: 0023
Create Date: 2027-03-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = store.db.UTCDateTime(timezone=True)


def _group() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "volunteer_calls",
        *_group(),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("post_id"),
    )
    op.create_table(
        "volunteers",
        *_group(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("actor_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("asked_to_be_listed", sa.Boolean(), nullable=False),
        sa.Column("unlisted_by", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reply_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("mentored_since", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["volunteers.id"], ondelete="SET NULL"),
        sa.UniqueConstraint("group_id", "key"),
    )
    op.create_table(
        "volunteer_help",
        *_group(),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "volunteer_roles",
        *_group(),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("helped_needed", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.UniqueConstraint("group_id", "name"),
    )
    op.create_table(
        "volunteer_badges",
        *_group(),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["role_id"], ["volunteer_roles.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("volunteer_id", "role_id"),
    )
    for table in ("volunteer_calls", "volunteers", "volunteer_roles"):
        _index(table, "group_id")
    _index("volunteer_help", "group_id", "volunteer_id")
    _index("volunteer_badges", "group_id", "volunteer_id")


def downgrade() -> None:
    for table in (
        "volunteer_badges",
        "volunteer_roles",
        "volunteer_help",
        "volunteers",
        "volunteer_calls",
    ):
        op.drop_table(table)
