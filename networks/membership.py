"""A network's side of membership: who asked to join, approving, rejecting, removing.

Joining is a plain follow of the network by a group (``networks.joining``). When the
network accepts it (at once, or on ``mutuals network approve`` under manual approval),
the membership is approved and the network follows the member back, so that the
member's posts reach the network's inbox (``networks.announce``). Follows both ways
go through ``follows.actions``, as any other follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, Following, Group, RemoteActor
from documents.errors import UserError
from documents.network import ANNOUNCE_POLICIES, is_join
from follows import actions
from networks.models import NetworkMember
from store.db import utcnow


class NetworkError(UserError):
    """A network operation was refused; the message says why and what to do."""


def require_network(group: Group) -> Group:
    """``group`` when it is a network; the error says how to start one otherwise."""
    if not group.is_network:
        raise NetworkError(
            "%(name)s is not a network; start one with: mutuals group create NAME --network",
            name=group.name,
        )
    return group


def set_announce(network: Group, announce: str) -> None:
    """Which members' posts ``network`` announces: ``all``, ``sharing`` or ``tagged``."""
    require_network(network)
    if announce not in ANNOUNCE_POLICIES:
        raise NetworkError(
            "unknown --announce %(value)r: use all, sharing or tagged", value=announce
        )
    network.network_announce = announce


async def list_members(
    session: AsyncSession, network: Group, *, pending: bool = False
) -> Sequence[NetworkMember]:
    """The approved members (with ``pending``, the groups waiting), oldest first."""
    require_network(network)
    state = "pending" if pending else "approved"
    found = await session.scalars(
        select(NetworkMember)
        .where(NetworkMember.network_id == network.id, NetworkMember.state == state)
        .order_by(NetworkMember.id)
    )
    return found.all()


async def _member(
    session: AsyncSession, network: Group, actor: RemoteActor
) -> NetworkMember | None:
    return await session.scalar(
        select(NetworkMember).where(
            NetworkMember.network_id == network.id, NetworkMember.actor_id == actor.id
        )
    )


async def _find_member(
    session: AsyncSession, ctx: Context, network: Group, account: str
) -> NetworkMember:
    require_network(network)
    actor = await actions.find_account(session, ctx, account)
    member = await _member(session, network, actor)
    if member is None:
        raise NetworkError(
            "%(account)s is not a member of %(network)s and has not asked to join",
            account=account,
            network=network.name,
        )
    return member


async def _follower(session: AsyncSession, network: Group, actor_id: int) -> Follower | None:
    return await session.scalar(
        select(Follower).where(Follower.group_id == network.id, Follower.actor_id == actor_id)
    )


async def _approve(
    session: AsyncSession, ctx: Context, network: Group, member: NetworkMember
) -> None:
    """Approve ``member`` and follow it back (unless the network already follows it)."""
    member.state, member.decided_at = "approved", utcnow()
    following = await session.scalar(
        select(Following.id).where(
            Following.group_id == network.id, Following.actor_id == member.actor_id
        )
    )
    if following is None:
        actor = await session.get(RemoteActor, member.actor_id)
        assert actor is not None  # the membership's foreign key holds it
        await actions.follow(session, ctx, network, actor.ap_id)


async def is_follow_back(
    session: AsyncSession, group: Group, follower: Follower, follow: dict[str, Any]
) -> bool:
    """Whether ``follow`` is a network following back ``group``, which joined it: a plain
    Follow (not a join) from an actor ``group`` follows as a network. It is accepted at
    once and makes the network a follower, never a member of ``group``."""
    if is_join(follow):
        return False
    joined = await session.scalar(
        select(Following.id).where(
            Following.group_id == group.id,
            Following.actor_id == follower.actor_id,
            Following.relay.is_not(None),
        )
    )
    return joined is not None


async def on_follow(
    session: AsyncSession, ctx: Context, network: Group, follower: Follower, *, announce: bool
) -> None:
    """A group followed the network (the inbox's Follow handler, after answering it):
    record or restate its membership, approved as soon as its follow is accepted.

    Only ``Group`` actors become members; people simply follow the network.
    """
    actor = await session.get(RemoteActor, follower.actor_id)
    if actor is None or actor.type != "Group":
        return
    member = await _member(session, network, actor)
    if member is None:
        member = NetworkMember(network_id=network.id, actor_id=actor.id, state="pending")
        session.add(member)
    member.announce = announce
    await session.flush()
    if follower.accepted and member.state != "approved":
        await _approve(session, ctx, network, member)


async def approve(session: AsyncSession, ctx: Context, network: Group, account: str) -> str:
    """Accept a group's request to join: its follow is accepted and the network follows
    it back. The member's handle."""
    member = await _find_member(session, ctx, network, account)
    if member.state == "approved":
        raise NetworkError(
            "%(account)s is already a member of %(network)s", account=account, network=network.name
        )
    follower = await _follower(session, network, member.actor_id)
    if follower is not None and not follower.accepted:
        await actions.accept_follower(session, ctx, network, follower)
    await _approve(session, ctx, network, member)
    return member.actor.handle


async def reject(session: AsyncSession, ctx: Context, network: Group, account: str) -> str:
    """Refuse a group's request to join (a ``Reject`` of its follow). Its handle."""
    member = await _find_member(session, ctx, network, account)
    if member.state == "approved":
        raise NetworkError(
            "%(account)s is already a member of %(network)s; use: mutuals network remove "
            "%(network)s %(account)s",
            account=account,
            network=network.name,
        )
    if (follower := await _follower(session, network, member.actor_id)) is not None:
        await actions.reject_follower(session, ctx, network, follower)
    handle = member.actor.handle
    await session.delete(member)
    return handle


async def _drop(session: AsyncSession, ctx: Context, network: Group, member: NetworkMember) -> str:
    """Forget ``member`` and stop following it back; its handle."""
    actor = member.actor
    following = await session.scalar(
        select(Following).where(
            Following.group_id == network.id, Following.actor_id == member.actor_id
        )
    )
    if following is not None:
        await actions.unfollow(session, ctx, network, actor.ap_id)
    await session.delete(member)
    return actor.handle


async def remove(session: AsyncSession, ctx: Context, network: Group, account: str) -> str:
    """Take a member out: its follow is ended (``Reject``) and the network's follow of it
    undone. Its handle."""
    member = await _find_member(session, ctx, network, account)
    if (follower := await _follower(session, network, member.actor_id)) is not None:
        await actions.remove_follower(session, ctx, network, follower)
    return await _drop(session, ctx, network, member)


async def on_unfollow(session: AsyncSession, ctx: Context, follower: Follower) -> None:
    """A follower undid its follow (the inbox's Undo handler): when it was a member of a
    network, it left; the network forgets it and stops following it back."""
    network = await session.get(Group, follower.group_id)
    actor = await session.get(RemoteActor, follower.actor_id)
    if network is None or actor is None or not network.is_network:
        return
    if (member := await _member(session, network, actor)) is not None:
        await _drop(session, ctx, network, member)
