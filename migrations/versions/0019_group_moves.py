"""moving a group: the addresses it also goes by, and where it moved

``groups.also_known_as`` lists the actor ids of the accounts this group says it also is
(a group that moved here lists the one it moved from); ``groups.moved_to`` is the actor
id of the group it moved to, once it has (``follows.moves``).

Revision ID: 0019
Revises: 0018
Create Date: 2027-03-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("also_known_as", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("moved_to", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("moved_to")
        batch_op.drop_column("also_known_as")
