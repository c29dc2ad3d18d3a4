"""the grievance process: a report's status, mediator, notes and outcome

``report_cases`` holds, for each report, its ``status`` (``open``, ``mediation``,
``resolved``, ``dismissed``), its mediator (a local account, or the ally's domain it
was forwarded to), who is told of status changes, the inbox its ``Flag`` went to and the
outcome; ``report_notes`` the moderators' private notes. Every report made before is
open, unassigned, told to nobody. A table of its own, keyed by the report's id without a
foreign key (like 0017's ``domain_rule_notes``), because ``reports`` is made on the
0002_moderation branch; the group's foreign key removes a case with its group.

Revision ID: 0018
Revises: 0017
Create Date: 2027-03-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("mediator_account_id", sa.Integer(), nullable=True),
        sa.Column("mediator_ally", sa.String(length=255), nullable=True),
        sa.Column("notify_ap_id", sa.String(length=2000), nullable=True),
        sa.Column("forwarded_to", sa.String(length=2000), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("updated_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mediator_account_id"], ["accounts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id"),
    )
    op.create_table(
        "report_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["report_cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_notes") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_notes_case_id"), ["case_id"], unique=False)
    # ``reports`` comes with 0002_moderation, on another branch: it may not be there yet.
    if not sa.inspect(op.get_bind()).has_table("reports"):
        return
    op.execute(
        "INSERT INTO report_cases (report_id, group_id, status, outcome, updated_at) "
        "SELECT id, group_id, 'open', '', created_at FROM reports"
    )


def downgrade() -> None:
    op.drop_table("report_notes")
    op.drop_table("report_cases")
