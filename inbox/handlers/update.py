"""``Update``: of an object by its owner edits it; of an actor by itself refreshes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.remote import ACTOR_TYPES, get_actor
from forum.receive import messages_of, receive_edit
from inbox.models import InboxItem
from inbox.objects import find_object, is_storable, limited, owned_by, update_object
from inbox.origin import object_from_actor
from inbox.registry import handles, signed_by_actor
from inbox.shape import object_id, requester
from inbox.shared_objects import mirror_shared


@handles("Update")
@signed_by_actor
async def update(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Replace a stored object with its owner's new version; unknown objects are ignored.

    As in Mastodon, an Update never creates an object we did not have. A post a group
    keeps (``forum.receive``) is edited too, and passed on if the group announced it.
    """
    target = object_id(activity)
    if target is None:
        return
    row = await find_object(session, target)
    stored = row is not None and not row.deleted and row.attributed_to == actor
    for_groups = bool(await messages_of(session, target, actor))
    if not (stored or for_groups):
        return
    doc = await object_from_actor(session, ctx, activity, actor)
    if doc is None or not is_storable(doc) or doc["id"] != target or not owned_by(doc, actor):
        return
    if for_groups:
        await receive_edit(session, ctx, activity, doc, actor)
    if row is not None and stored and (kept := await limited(session, doc)) is not None:
        update_object(row, kept)
        await mirror_shared(session, row)


async def update_actor(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Re-fetch an actor that announced a change to itself; the embedded copy is not trusted.

    Its key, inbox and names are believed only as its origin serves them.
    """
    actor = requester(activity, item.actor_ap_id)
    if actor is not None and object_id(activity) == actor:
        await get_actor(ctx, session, actor, refresh=True)


for _actor_type in sorted(ACTOR_TYPES):
    handles("Update", _actor_type)(update_actor)
