"""RSVPs to our events as Mobilizon and Gancio send them, and their ``Undo``.

``Join`` (Mobilizon's "participate") and ``Accept`` are "going", ``TentativeAccept``
"maybe", ``Reject`` "not going"; ``Leave`` or an ``Undo`` of any of them forgets the
answer. The object is the Event, by id (Mobilizon) or embedded. A Join is answered
with an ``Accept``, as a Mobilizon organizer does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from actors.remote import get_actor
from federation.vocab import first_type, get_id
from inbox.local import local_event
from inbox.models import InboxItem
from inbox.registry import handles
from inbox.shape import http_url, object_id, object_of, requester
from sharing.models import Event
from sharing.rsvps import accept_join, drop_rsvp, set_rsvp

ANSWERS = {"Join": "going", "Accept": "going", "TentativeAccept": "maybe", "Reject": "declined"}


async def _target(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> tuple[str, Event] | None:
    actor = requester(activity, item.actor_ap_id)
    event = await local_event(session, ctx, object_id(activity))
    if actor is None or event is None or event.cancelled:
        return None
    return actor, event


@handles("Join")
@handles("Accept", "Event")
@handles("TentativeAccept")
@handles("TentativeAccept", "Event")
@handles("Reject", "Event")
async def answer(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Record the answer of the activity's actor to one of our events."""
    found = await _target(session, ctx, item, activity)
    if found is None:
        return
    actor, event = found
    await set_rsvp(session, event, actor, ANSWERS[activity["type"]], activity["id"])
    if activity["type"] == "Join":
        group = await session.get(Group, event.group_id)
        assert group is not None
        await accept_join(session, ctx, group, activity["id"], await get_actor(ctx, session, actor))


@handles("Leave")
async def leave(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """The actor no longer takes part."""
    found = await _target(session, ctx, item, activity)
    if found is not None:
        await drop_rsvp(session, found[1], found[0])


async def undo_answer(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> None:
    """Forget the answer the undone (embedded) activity gave, if it is the actor's own."""
    actor = requester(activity, item.actor_ap_id)
    undone = object_of(activity)
    if actor is None or not isinstance(undone, dict):
        return
    if http_url(get_id(undone.get("actor"))) != actor or first_type(undone) not in ANSWERS:
        return
    event = await local_event(session, ctx, object_id(undone))
    if event is not None:
        await drop_rsvp(session, event, actor, http_url(undone.get("id")))


for _type in ANSWERS:
    handles("Undo", _type)(undo_answer)
