"""Information up: a network announces its member groups' posts to its own followers.

The network follows each approved member back, so a member's ``Create`` reaches its
inbox like any followed account's. The inbox hands it here; the network keeps it as a
`forum.models.Message` (so ``mutuals messages`` lists it, and the author's edits and
deletions follow it as for any announced post) and announces it in both forms
(``forum.relay``) when its policy says so:

===========  ===================================================================
``all``      every public or unlisted top-level post (the default)
``sharing``  only offers, needs and events
``tagged``   only posts tagged with the network's name as a hashtag
===========  ===================================================================

A member that asked not to be announced (``--no-announce``) never is, and a group the
network never approved gets nothing announced, whatever it claims.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group, RemoteActor
from documents.received import is_sharing
from federation.markdown import normalize_hashtag
from federation.vocab import as_list
from forum.receive import keep_top_level
from networks.models import NetworkMember

Membership = tuple[Group, NetworkMember]


async def memberships(session: AsyncSession, actor: str) -> list[Membership]:
    """The local networks that approved ``actor`` as a member, with its membership."""
    rows = await session.execute(
        select(Group, NetworkMember)
        .join(NetworkMember, NetworkMember.network_id == Group.id)
        .join(RemoteActor, NetworkMember.actor_id == RemoteActor.id)
        .where(
            RemoteActor.ap_id == actor,
            NetworkMember.state == "approved",
            Group.is_network.is_(True),
        )
        .order_by(Group.id)
    )
    return [(group, member) for group, member in rows]


def _tags(doc: dict[str, Any]) -> set[str]:
    return {
        normalize_hashtag(tag["name"])
        for tag in as_list(doc.get("tag"))
        if isinstance(tag, dict)
        and tag.get("type") == "Hashtag"
        and isinstance(tag.get("name"), str)
    }


def why_not(network: Group, member: NetworkMember, doc: dict[str, Any]) -> str | None:
    """Why ``network`` does not announce its member's post ``doc``; None when it does."""
    if not member.announce:
        return "the member group asked the network not to announce its posts"
    if network.network_announce == "sharing" and not is_sharing(doc):
        return "not an offer, need or event: this network announces only those"
    if network.network_announce == "tagged" and normalize_hashtag(network.name) not in _tags(doc):
        return f"not tagged #{network.name}: this network announces only posts tagged so"
    return None


async def receive_member_post(
    session: AsyncSession,
    ctx: Context,
    activity: dict[str, Any],
    doc: dict[str, Any],
    actor: str,
    networks: list[Membership],
) -> None:
    """Keep a member's public top-level post ``doc`` (verified: ``actor`` owns it) for
    every network in ``networks``, announcing it where the network's policy allows.

    Replies and posts for followers only are the member's own conversation: stored
    like any followed account's, not kept for the network. A post the network already
    keeps (it named the network too) is left as the forum decided.
    """
    for network, member in networks:
        reason = why_not(network, member, doc)
        await keep_top_level(session, ctx, network, activity, doc, actor, reason)
