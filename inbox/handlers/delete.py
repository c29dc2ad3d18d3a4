"""``Delete`` by an object's owner leaves a tombstone, even before the object arrives."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from federation.origin import same_origin
from follows.queries import is_followed
from forum.receive import receive_deletion
from inbox.models import InboxItem
from inbox.objects import find_object, tombstone
from inbox.registry import handles, signed_by_actor
from inbox.shape import object_id

log = logging.getLogger("mutuals.inbox")


@handles("Delete")
@signed_by_actor
async def delete(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], actor: str
) -> None:
    """Tombstone the object if the Delete's actor owns it.

    A stored object is owned by its ``attributedTo``. For an object not seen yet, the
    tombstone is kept only when its id is on the actor's origin (nobody can pre-delete
    another server's object) and one of our groups follows the actor (Mastodon sends
    Deletes to every server it knows; we keep only those that can matter).
    A Delete of the actor itself is acknowledged: its key stops verifying anyway.
    A post a group keeps is deleted there too (``forum.receive``).
    """
    target = object_id(activity)
    if target is None or target == actor or ctx.urls.is_local(target):
        return
    await receive_deletion(session, ctx, activity, target, actor)
    row = await find_object(session, target)
    if row is not None:
        if row.attributed_to == actor:
            await tombstone(session, target, actor)
        else:
            log.warning("%s tried to delete %s, owned by %s", actor, target, row.attributed_to)
        return
    if same_origin(target, actor) and await is_followed(session, actor):
        await tombstone(session, target, actor)
