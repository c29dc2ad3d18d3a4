"""Questions about follows: who follows a group, whom it follows, who is followed at all."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from actors.models import Follower, Following, Group, RemoteActor


async def list_following(session: AsyncSession, group: Group) -> Sequence[Following]:
    """Whom the group follows or has asked to follow, oldest first."""
    found = await session.execute(
        select(Following).where(Following.group_id == group.id).order_by(Following.id)
    )
    return found.scalars().all()


async def list_followers(
    session: AsyncSession, group: Group, *, pending: bool = False
) -> Sequence[Follower]:
    """The group's accepted followers (or, with ``pending``, those waiting), oldest first."""
    found = await session.execute(
        select(Follower)
        .where(Follower.group_id == group.id, Follower.accepted.is_(not pending))
        .order_by(Follower.id)
    )
    return found.scalars().all()


_FOLLOWED = select(
    exists()
    .where(Following.actor_id == RemoteActor.id)
    .where(RemoteActor.ap_id == bindparam("actor"), Following.accepted.is_(True))
)
"""Built once: the inbox worker asks it of almost every ``Create``."""


async def is_followed(session: AsyncSession, actor_ap_id: str) -> bool:
    """True when one of our groups follows this actor and the follow was accepted."""
    return bool((await session.execute(_FOLLOWED, {"actor": actor_ap_id})).scalar())


async def _has_accepted_follower(
    session: AsyncSession, group: Group, condition: ColumnElement[bool]
) -> bool:
    query = select(
        exists()
        .where(Follower.actor_id == RemoteActor.id)
        .where(Follower.group_id == group.id, Follower.accepted.is_(True), condition)
    )
    return bool((await session.execute(query)).scalar())


async def has_followers_on(session: AsyncSession, group: Group, domain: str) -> bool:
    """True when the group has an accepted follower whose account is on ``domain``.

    ``domain`` is as `RemoteActor.domain` stores it (``host[:port]``).
    """
    return await _has_accepted_follower(session, group, RemoteActor.domain == domain)


async def is_follower(session: AsyncSession, group: Group, actor_ap_id: str) -> bool:
    """True when ``actor_ap_id`` follows ``group`` and the follow was accepted."""
    return await _has_accepted_follower(session, group, RemoteActor.ap_id == actor_ap_id)
