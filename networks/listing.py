"""A network's member groups as its pages show them (name, handle, link and liaisons),
and as its ``members`` collection lists them for other servers' directories.

Read only. Everything comes from the member's stored actor (``actors.remote``), which
its own server wrote: the name is plain text, cleaned and trimmed again here, and the
link is the actor's ``url`` only when it is on the actor's own domain (else its id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group, RemoteActor
from actors.urls import Urls
from documents.collections import ordered_collection, ordered_page
from documents.whereabouts import received_liaisons
from federation.content import clean_name
from networks.membership import list_members
from networks.models import NetworkMember

MAX_NAME = 100
"""Characters of a member's name shown; a longer one is cut."""
MEMBERS_PAGE = 40


@dataclass(frozen=True)
class MemberCard:
    """One approved member group of a network, ready to show (every value plain text)."""

    name: str
    handle: str
    url: str
    liaisons: list[str]


async def member_cards(session: AsyncSession, network: Group) -> list[MemberCard]:
    """The approved members of ``network``, oldest first; nothing for a group that is not
    a network. Groups still waiting for approval are never listed."""
    if not network.is_network:
        return []
    cards = []
    for member in await list_members(session, network):
        actor = member.actor
        handle = actor.handle
        name = clean_name(actor.name or actor.preferred_username or "", max_length=MAX_NAME)
        cards.append(
            MemberCard(
                name or handle, handle, actor.url or actor.ap_id, received_liaisons(actor.document)
            )
        )
    return cards


async def members_collection(
    session: AsyncSession, urls: Urls, network: Group, *, page: int | None
) -> dict[str, Any] | None:
    """The ``members`` collection of ``network`` (approved members' actor ids, newest
    first), or page ``page`` of it; as ``followers``, only its size when the network
    hides its collections (and None for its pages). Read by other instances'
    directories (``networks.outreach``)."""
    collection_id = urls.group_collection(network.uid, "members")
    if network.hide_collections and page is not None:
        return None
    approved = (NetworkMember.network_id == network.id, NetworkMember.state == "approved")
    total = int(await session.scalar(select(func.count(NetworkMember.id)).where(*approved)) or 0)
    if page is None:
        first = None if network.hide_collections else f"{collection_id}?page=1"
        return ordered_collection(collection_id, total, first)
    found = await session.scalars(
        select(RemoteActor.ap_id)
        .join(NetworkMember, NetworkMember.actor_id == RemoteActor.id)
        .where(*approved)
        .order_by(NetworkMember.id.desc())
        .offset((page - 1) * MEMBERS_PAGE)
        .limit(MEMBERS_PAGE)
    )
    more = page * MEMBERS_PAGE < total
    next_page = f"{collection_id}?page={page + 1}" if more else None
    doc = ordered_page(f"{collection_id}?page={page}", collection_id, list(found), next_page)
    doc["totalItems"] = total
    return doc
