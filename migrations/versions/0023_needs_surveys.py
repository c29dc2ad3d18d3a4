"""needs surveys: questions, options, answers

``surveys`` (one per survey, with the unguessable ``uid`` of its answer page and the
post that opens its thread, empty until ``opens_at`` when it opens later),
``survey_questions`` (choice and scale questions point at the poll they federate as),
``survey_responses`` and ``survey_answers`` (what visitors answered on the page) and
``survey_browsers`` (a keyed hash per browser that answered, kept apart from the answers
so anonymous ones cannot be traced back).

Revision ID: 0023
Revises: 0022
Create Date: 2027-03-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _group() -> sa.Column[int]:
    return sa.Column("group_id", sa.Integer(), nullable=False)


def _group_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE")


def _survey_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], ondelete="CASCADE")


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=40), nullable=False),
        _group(),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("opens_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        _group_fk(),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
        sa.UniqueConstraint("post_id"),
    )
    _indexes("surveys", "group_id")
    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        _group(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        _survey_fk(),
        _group_fk(),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("survey_questions", "survey_id", "group_id")
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        _group(),
        sa.Column("respondent", sa.String(length=200), nullable=True),
        sa.Column("created_at", store.db.UTCDateTime(timezone=True), nullable=False),
        _survey_fk(),
        _group_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("survey_responses", "survey_id", "group_id")
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        _group(),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["survey_responses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["survey_questions.id"], ondelete="CASCADE"),
        _group_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("survey_answers", "response_id", "question_id", "group_id")
    op.create_table(
        "survey_browsers",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _group(),
        _survey_fk(),
        _group_fk(),
        sa.PrimaryKeyConstraint("survey_id", "token_hash"),
    )
    _indexes("survey_browsers", "group_id")


def downgrade() -> None:
    for table in (
        "survey_browsers",
        "survey_answers",
        "survey_responses",
        "survey_questions",
        "surveys",
    ):
        op.drop_table(table)
