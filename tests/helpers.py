"""Small helpers shared by tests: creating groups, signing requests like a peer would."""

from __future__ import annotations

from actors.groups import create_group
from actors.models import Group
from tests.instances import Instance

AP = "application/activity+json"


async def add_group(instance: Instance, name: str = "demo", **options: object) -> Group:
    """Create a group on a running instance, as ``mutuals group create`` does."""
    async with instance.ctx.sessions() as session:
        group = await create_group(session, name, instance.ctx.urls, **options)  # type: ignore[arg-type]
        await session.commit()
    return group
