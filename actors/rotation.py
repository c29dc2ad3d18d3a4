"""New RSA key pairs for a group or the instance actor (the keys HTTP signatures use).

Peers that cached the old key fail to verify the first signature by the new one, fetch
the actor again and find the new key (``actors.remote.signer_of`` does the same here).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import INSTANCE_KEY_ID, instance_key_pair
from actors.keys import generate_key_pair
from actors.models import Group, InstanceKey
from store.db import utcnow


def rotate_group_key(group: Group) -> None:
    """Give the group a new key pair; the old one no longer signs anything."""
    group.private_key_pem, group.public_key_pem = generate_key_pair()
    group.updated_at = utcnow()


async def rotate_instance_key(session: AsyncSession) -> str:
    """Replace the instance actor's key pair; the new public PEM.

    Running processes read the instance key once, at start: restart them afterwards.
    """
    await instance_key_pair(session)  # the row exists before it is replaced
    private_pem, public_pem = generate_key_pair()
    await session.execute(
        update(InstanceKey)
        .where(InstanceKey.id == INSTANCE_KEY_ID)
        .values(private_key_pem=private_pem, public_key_pem=public_pem)
    )
    return public_pem
