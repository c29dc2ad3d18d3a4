"""A network's member groups as its pages show them (name, handle, link and liaisons),
and as its ``members`` collection lists them for other servers' directories.

Read only. Everything comes from the member's stored actor (``actors.remote``), which
its own server wrote: the name is plain text, cleaned and trimmed again here, and the
link is the actor's ``url`` only when it is on the actor's own domain (else its id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from actors.urls import Urls
from documents.whereabouts import received_liaisons
from federation.content import clean_name
from follows.collections import actor_collection
from networks.membership import list_members
from networks.models import NetworkMember

MAX_NAME = 100
"""Characters of a member's name shown; a longer one is cut."""


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
    approved = (NetworkMember.network_id == network.id, NetworkMember.state == "approved")
    return await actor_collection(
        session, collection_id, NetworkMember, approved, hidden=network.hide_collections, page=page
    )
