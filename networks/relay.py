"""Information down: a member group relays the posts of the networks it joined.

A group that joined a network (``networks.joining``) follows it, so the network's own
posts (its ``Create``) and what it announces (its members' posts, and the posts of the
networks it joined in turn) reach the group's inbox. The inbox hands them here, and the
group boosts them to its own followers in the two forms of ``forum.relay``, by the
policy it chose for that network (``following.relay``):

===========  ===================================================================
``all``      every public or unlisted top-level post
``sharing``  only offers, needs and events (the default)
``none``     nothing
===========  ===================================================================

No loops and no duplicates, whatever the shape of the networks (several networks, a
network in a network, two networks members of each other):

- only what a network the group joined authored or announced itself is relayed, never
  what reaches the group through any other account or an ``Announce`` of an ``Announce``;
- a group relays an object at most once: each relayed post is kept as a
  `forum.models.Message` of the group, unique per (group, object), and an object the
  group already keeps (relayed, announced from a member, or waiting) is left alone;
- a group never relays its own posts coming back from a network.

The relayed post is kept like any announced one, so the author's edits and deletions
follow it (``forum.receive``) and ``mutuals messages`` lists it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Following, Group, RemoteActor
from documents.received import is_sharing
from federation.vocab import get_id, has_type
from forum.receive import keep_top_level

Relaying = tuple[Group, str]


async def relaying(session: AsyncSession, network: str) -> list[Relaying]:
    """The local groups that joined ``network`` (accepted) and relay some of its posts,
    each with its policy (``all`` or ``sharing``)."""
    rows = await session.execute(
        select(Group, Following.relay)
        .join(Following, Following.group_id == Group.id)
        .join(RemoteActor, Following.actor_id == RemoteActor.id)
        .where(
            RemoteActor.ap_id == network,
            Following.accepted.is_(True),
            Following.relay.in_(("all", "sharing")),
        )
        .order_by(Group.id)
    )
    return [(group, str(policy)) for group, policy in rows]


def relays(policy: str, doc: dict[str, Any]) -> bool:
    """Whether a group relaying by ``policy`` relays the post ``doc``."""
    if policy == "sharing":
        return is_sharing(doc)
    return policy == "all"


def announced_create(announce: dict[str, Any], doc: dict[str, Any], author: str) -> dict[str, Any]:
    """The author's ``Create`` of ``doc`` a network's FEP-1b12 ``Announce`` carries, with
    the verified ``doc`` in place of the copy it embedded; ``{}`` for a plain boost (the
    group then relays a boost only)."""
    inner = announce.get("object")
    if (
        isinstance(inner, dict)
        and has_type(inner, "Create")
        and get_id(inner.get("actor")) == author
        and get_id(inner.get("object")) == doc["id"]
        and isinstance(inner.get("id"), str)
    ):
        return {**inner, "object": doc}
    return {}


async def relay_down(
    session: AsyncSession,
    ctx: Context,
    activity: dict[str, Any],
    doc: dict[str, Any],
    author: str,
    groups: list[Relaying],
) -> None:
    """Relay ``doc`` (verified: ``author`` owns it), which a network authored or announced,
    to the followers of each group in ``groups`` whose policy takes it. ``activity`` is
    the author's ``Create`` of it, or ``{}`` when the network only boosted it.

    Replies and posts for followers only stay with the network's own followers.
    """
    for group, policy in groups:
        if author == ctx.urls.group(group.uid) or not relays(policy, doc):
            continue
        await keep_top_level(session, ctx, group, activity, doc, author)
