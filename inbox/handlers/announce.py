"""``Announce`` (a boost or a group relaying a post) by an actor our groups follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from federation.vocab import get_id, has_type
from follows.queries import is_followed
from inbox.models import InboxItem
from inbox.objects import is_storable, owned_by, owners, store_object
from inbox.origin import fetch_from_origin
from inbox.registry import handles
from inbox.shape import http_url, object_id, object_of, requester


def announced_id(activity: dict[str, Any]) -> str | None:
    """The id of the announced object; for FEP-1b12 ``Announce{Create{Note}}``, the Note's."""
    obj = object_of(activity)
    if isinstance(obj, dict) and has_type(obj, "Create", "Update"):
        return http_url(get_id(obj.get("object")))
    return object_id(activity)


@handles("Announce")
async def announce(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Fetch the announced object from its origin (never the embedded copy) and keep it.

    It is stored under its own owner, and only if it lives on that owner's origin.
    """
    actor = requester(activity, item.actor_ap_id)
    target = announced_id(activity)
    if actor is None or target is None or not await is_followed(session, actor):
        return
    doc = await fetch_from_origin(ctx, target)
    if doc is None or not is_storable(doc):
        return
    owner = owners(doc)[0]
    if owned_by(doc, owner):
        await store_object(session, doc, owner)
