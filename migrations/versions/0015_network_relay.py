"""network relay: what a member group relays of each network it joined

``following.relay`` is set on a group's follow of a network it joined (``mutuals network
join``): ``all``, ``sharing`` (offers, needs and events) or ``none``, which of the
network's posts the group boosts to its own followers. A plain follow has none (NULL),
and so has every follow made before: a group that joined a network before relays
nothing of it until ``mutuals network relay`` says what.

Revision ID: 0015
Revises: 0014
Create Date: 2027-02-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default, so that SQLite adds it in place (see 0014).
    with op.batch_alter_table("following") as batch_op:
        batch_op.add_column(sa.Column("relay", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("following") as batch_op:
        batch_op.drop_column("relay")
