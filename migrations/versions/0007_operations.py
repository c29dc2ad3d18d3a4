"""operations: one instance key row (id 1), worker heartbeats

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 10:00:00

Processes starting at once on an empty database could each create an instance key.
Where that happened, the row with the lowest id is kept (the one an unordered select
found, so the one ``/actor`` published) and becomes id 1; a CHECK refuses any other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_ROW = "instance_keys_one_row"


def upgrade() -> None:
    op.execute("DELETE FROM instance_keys WHERE id > (SELECT min(id) FROM instance_keys)")
    op.execute("UPDATE instance_keys SET id = 1")
    with op.batch_alter_table("instance_keys", schema=None) as batch_op:
        batch_op.create_check_constraint(ONE_ROW, "id = 1")
    op.create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("seen_at", store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    with op.batch_alter_table("instance_keys", schema=None) as batch_op:
        batch_op.drop_constraint(ONE_ROW, type_="check")
