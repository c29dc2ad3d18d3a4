"""integrity proofs: each group's Ed25519 key

Every group signs the integrity proofs (FEP-8b32, ``eddsa-jcs-2022``) of what it sends
with an Ed25519 key of its own, published as a Multikey in its actor's
``assertionMethod``. New groups get theirs when they are created; this gives one to
every existing group, so all of them publish a key from the start. The column stays
nullable: an older version still running during the upgrade may create a group without
one, and such a group just sends no proofs.

Revision ID: 0020
Revises: 0019
Create Date: 2027-03-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _new_key() -> str:
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ed25519_private_pem", sa.Text(), nullable=True))
    groups = sa.table("groups", sa.column("id", sa.Integer), sa.column("ed25519_private_pem"))
    bind = op.get_bind()
    for (group_id,) in bind.execute(sa.select(groups.c.id)).all():
        bind.execute(
            groups.update().where(groups.c.id == group_id).values(ed25519_private_pem=_new_key())
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("ed25519_private_pem")
