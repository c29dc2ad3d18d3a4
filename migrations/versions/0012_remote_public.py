"""received offers and events: whether their authors addressed them to Public

Public pages (the board, the network calendar and its feed) show only those; what a
followed account sent its followers alone stays on the organizers' pages. Filled from
the stored documents of what was received before.

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from federation.vocab import addressed_publicly

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
# remote_offers and remote_events are made on the branch of 0003.
depends_on: str | Sequence[str] | None = "0003"

TABLES = ("remote_offers", "remote_events")
BATCH = 500


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.add_column(
                sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
            )
    objects = sa.table(
        "remote_objects",
        sa.column("id", sa.Integer()),
        sa.column("ap_id", sa.String()),
        sa.column("document", sa.JSON()),
    )
    bind = op.get_bind()
    last = 0
    while True:  # a batch at a time, by id: any number of objects in little memory
        batch = bind.execute(
            sa.select(objects.c.id, objects.c.ap_id, objects.c.document)
            .where(objects.c.id > last)
            .order_by(objects.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        public = [ap_id for _, ap_id, document in batch if addressed_publicly(document or {})]
        for name in TABLES:
            table = sa.table(name, sa.column("ap_id", sa.String()), sa.column("public"))
            if public:
                bind.execute(table.update().where(table.c.ap_id.in_(public)).values(public=True))
        last = batch[-1][0]


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_column("public")
