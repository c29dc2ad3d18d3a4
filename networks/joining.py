"""A group's side of membership: joining a network anywhere, and leaving it.

Joining is a ``Follow`` of the network (``follows.actions.follow``) carrying whether
the group wants its posts announced (``documents.network``); the network's approval
decides when it is accepted. Joining again restates that choice with a new Follow.
Which of the network's posts the group relays to its own followers (``networks.relay``)
is the group's own business, kept on its follow (``Following.relay``) and never sent.
Leaving is an ``Undo`` of the Follow; the network then stops following the group back,
and the group relays nothing more of it.
"""

from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, Group, RemoteActor
from actors.remote import resolve_account
from documents import activities
from documents.network import RELAY_POLICIES, join_follow
from follows import actions
from networks.membership import NetworkError
from outbox.send import new_activity_id, queue_activity


def _check_relay(relay: str) -> str:
    if relay not in RELAY_POLICIES:
        raise NetworkError("unknown relay policy %(value)r: use all, sharing or none", value=relay)
    return relay


async def _following(session: AsyncSession, group: Group, network_id: str) -> Following | None:
    return await session.scalar(
        select(Following)
        .join(RemoteActor, Following.actor_id == RemoteActor.id)
        .where(Following.group_id == group.id, RemoteActor.ap_id == network_id)
    )


async def join(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    network: str,
    *,
    announce: bool = True,
    relay: str = "sharing",
) -> Following:
    """Ask to join ``network`` (``name@host`` or actor URL), relaying its posts by
    ``relay``; or, when ``group`` already follows it, tell it again whether to announce
    ``group``'s posts (and take ``relay`` as the new policy)."""
    _check_relay(relay)
    dress = functools.partial(join_follow, announce=announce)
    network_id = await resolve_account(ctx, network)
    known = await _following(session, group, network_id)
    if known is None:
        following = await actions.follow(session, ctx, group, network_id, dress=dress)
        following.relay = relay
        return following
    known.relay = relay
    target = await session.get(RemoteActor, known.actor_id)
    assert target is not None  # the following's foreign key holds it
    actor = ctx.urls.group(group.uid)
    follow = activities.follow(new_activity_id(ctx.urls, group), actor, target.ap_id)
    known.follow_ap_id = follow["id"]
    await queue_activity(session, group=group, activity=dress(follow), inboxes=[target.inbox])
    return known


async def leave(session: AsyncSession, ctx: Context, group: Group, network: str) -> RemoteActor:
    """Stop being a member of ``network``: an ``Undo`` of ``group``'s Follow of it."""
    return await actions.unfollow(session, ctx, group, network)


async def set_relay(
    session: AsyncSession, ctx: Context, group: Group, network: str, relay: str
) -> Following:
    """Which of ``network``'s posts ``group`` relays to its followers from now on."""
    _check_relay(relay)
    network_id = await resolve_account(ctx, network)
    known = await _following(session, group, network_id)
    if known is None:
        raise NetworkError(
            "%(group)s has not joined %(network)s; join with: mutuals network join "
            "%(group)s %(network)s",
            group=group.name,
            network=network,
        )
    known.relay = relay
    return known
