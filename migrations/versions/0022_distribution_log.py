"""the distribution log, fair-distribution criteria and limits, the waiting list

``distributions`` is each group's private log of what went to whom (a name or a code the
organizer chose) and when, by category, optionally toward a need (``offers.id``);
``distribution_limits`` the most one recipient may receive of a category in a number of
days; ``distribution_waiting`` the recipients waiting, served in ``id`` order;
``distribution_criteria`` the text shown on the group's page (``sharing.distribution``).

Revision ID: 0022
Revises: 0021
Create Date: 2027-03-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GROUP = (["group_id"], ["groups.id"])


def _name(column: str) -> sa.Column[str]:
    return sa.Column(column, sa.String(length=200), nullable=False)


def upgrade() -> None:
    op.create_table(
        "distributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        _name("recipient"),
        _name("recipient_key"),
        _name("category"),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        _name("recorded_by"),
        sa.Column("given_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(*_GROUP, ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["need_id"], ["offers.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("distributions") as batch_op:
        batch_op.create_index(
            "ix_distributions_recipient",
            ["group_id", "category", "recipient_key", "given_at"],
            unique=False,
        )
        batch_op.create_index("ix_distributions_given", ["group_id", "given_at"], unique=False)
    op.create_table(
        "distribution_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        _name("category"),
        sa.Column("per_recipient", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(*_GROUP, ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "category"),
    )
    op.create_table(
        "distribution_waiting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        _name("recipient"),
        _name("recipient_key"),
        _name("category"),
        sa.Column("quantity", sa.Integer(), nullable=False),
        _name("added_by"),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("served_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("distribution_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(*_GROUP, ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["distribution_id"], ["distributions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("distribution_waiting") as batch_op:
        batch_op.create_index(
            "ix_distribution_waiting_queue", ["group_id", "category", "served_at"], unique=False
        )
    op.create_table(
        "distribution_criteria",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(*_GROUP, ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id"),
    )


def downgrade() -> None:
    op.drop_table("distribution_criteria")
    op.drop_table("distribution_waiting")
    op.drop_table("distribution_limits")
    op.drop_table("distributions")
