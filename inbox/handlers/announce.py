"""``Announce`` by an actor our groups follow: a boost, or a group relaying a member's post.

FEP-1b12 groups (Lemmy communities, Mbin magazines, other Mutuals groups) announce the
member's activity itself: a ``Create`` or ``Update`` brings the object, a ``Delete``
takes it away. Guppe groups and microblogs announce the object, embedded or by id.
Either way the object is kept under its own owner, recorded with the group it came
through (``via``), so the board and the network calendar show what followed groups relay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from federation.vocab import get_id, has_type
from follows.queries import is_followed
from forum.receive import receive_deletion
from inbox.models import InboxItem, RemoteObject
from inbox.objects import (
    find_object,
    forget,
    is_storable,
    limited,
    owned_by,
    owners,
    store_object,
    tombstone,
    update_object,
)
from inbox.origin import fetch_from_origin, proven_or_fetched
from inbox.registry import handles, signed_by_actor
from inbox.shape import http_url, object_id, object_of
from inbox.shared_objects import mirror_shared
from networks.relay import announced_create, relay_down, relaying
from posts.lookup import local_post


def announced_id(activity: dict[str, Any]) -> str | None:
    """The id of the announced object; for FEP-1b12 ``Announce{Create{Note}}``, the Note's."""
    obj = object_of(activity)
    if isinstance(obj, dict) and has_type(obj, "Create", "Update", "Delete"):
        return http_url(get_id(obj.get("object")))
    return object_id(activity)


def _embedded(activity: dict[str, Any]) -> Any:
    obj = object_of(activity)
    if isinstance(obj, dict) and has_type(obj, "Create", "Update"):
        return obj.get("object")
    return obj


async def _object(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], actor: str, target: str
) -> Any:
    # The copy an announcement carries is believed only when the announcer signed it as
    # its own object, or its owner's integrity proof vouches for it; anything else, even
    # another account's post on the announcer's server (a Lemmy community relaying its
    # members), is fetched from where it lives.
    embedded = _embedded(activity)
    if isinstance(embedded, dict) and get_id(embedded) == target and owned_by(embedded, actor):
        return embedded
    return await proven_or_fetched(session, ctx, embedded, target)


@handles("Announce")
@signed_by_actor
async def announce(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Keep (or update, or drop) the object a followed actor announces; when the actor
    is a network one of our groups joined, the group relays it (``networks.relay``)."""
    target = announced_id(activity)
    if target is None or not await is_followed(session, actor):
        return
    row = await find_object(session, target)
    if has_type(object_of(activity), "Delete"):
        if row is not None and not row.deleted:
            await _relayed_deletion(session, ctx, row, actor, object_of(activity))
        return
    if ctx.urls.is_local(target):
        await _relay_local(session, ctx, activity, actor, target)
        return
    # A boost of an object we keep (as the one that follows a FEP-1b12 Announce: Lemmy
    # and Mutuals send both) is of the kept copy: fetching it again would undo what its
    # integrity proof saved.
    known = row is not None and not isinstance(_embedded(activity), dict)
    if row is not None and known:
        doc = row.document
    else:
        doc = await _object(session, ctx, activity, actor, target)
    if doc is None or not is_storable(doc):
        return
    owner = owners(doc)[0]
    if not owned_by(doc, owner):
        return
    if joined := await relaying(session, actor):
        await relay_down(session, ctx, announced_create(activity, doc, owner), doc, owner, joined)
    if row is None:
        await store_object(session, doc, owner, via=None if owner == actor else actor)
        return
    if known or row.deleted or row.attributed_to != owner:
        return
    if (kept := await limited(session, doc)) is not None:
        update_object(row, kept)
        await mirror_shared(session, row)


async def _relay_local(
    session: AsyncSession, ctx: Context, activity: dict[str, Any], actor: str, target: str
) -> None:
    # One of our own posts (never fetched nor stored as remote) announced by a network
    # a group here joined: a network relaying a group of this instance. Our copy is the
    # one relayed.
    post = await local_post(session, ctx, target)
    if post is None or not (joined := await relaying(session, actor)):
        return
    doc = post.document
    owner = owners(doc)[0]
    await relay_down(session, ctx, announced_create(activity, doc, owner), doc, owner, joined)


async def _relayed_deletion(
    session: AsyncSession, ctx: Context, row: RemoteObject, group: str, delete: Any
) -> None:
    # Believed only as the origin has it: gone there, the author deleted it (and a group
    # here that relayed it from a network passes the deletion on); still there, the
    # relaying group took it out, so we stop keeping what came only through it.
    doc = await fetch_from_origin(ctx, row.ap_id)
    if doc is None:
        await tombstone(session, row.ap_id, row.attributed_to)
        if isinstance(delete, dict):
            await receive_deletion(session, ctx, delete, row.ap_id, row.attributed_to)
    elif row.via == group:
        await forget(session, row)
