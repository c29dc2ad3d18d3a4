"""Answers to our events: record one per account (the latest wins), accept a ``Join``.

Mobilizon answers a participant's ``Join`` with an ``Accept`` whose object is the
Join's id, addressed to the participant; its UI shows the participation as
confirmed only then, so we do the same (our events are open to all).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group, RemoteActor
from documents import activities
from outbox.send import new_activity_id, queue_activity
from sharing.events import RSVP_STATES
from sharing.models import Event, Rsvp
from store.db import utcnow


async def set_rsvp(
    session: AsyncSession, event: Event, actor: str, state: str, activity_id: str
) -> Rsvp:
    """Record ``actor``'s answer (``going``, ``maybe``, ``declined``), replacing an older one."""
    row = await session.scalar(
        select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.actor_ap_id == actor)
    )
    if row is None:
        row = Rsvp(event_id=event.id, actor_ap_id=actor)
        session.add(row)
    row.state, row.activity_ap_id, row.updated_at = state, activity_id, utcnow()
    await session.flush()
    return row


async def drop_rsvp(
    session: AsyncSession, event: Event, actor: str, activity_id: str | None = None
) -> None:
    """Forget ``actor``'s answer (only if it was made by ``activity_id``, when given)."""
    query = delete(Rsvp).where(Rsvp.event_id == event.id, Rsvp.actor_ap_id == actor)
    if activity_id is not None:
        query = query.where(Rsvp.activity_ap_id == activity_id)
    await session.execute(query)


async def rsvp_counts(session: AsyncSession, event: Event) -> dict[str, int]:
    """How many accounts answered ``going``, ``maybe`` and ``declined`` (each one counted)."""
    found = await session.execute(
        select(Rsvp.state, func.count()).where(Rsvp.event_id == event.id).group_by(Rsvp.state)
    )
    counted: dict[str, int] = {state: count for state, count in found.all()}
    return {state: counted.get(state, 0) for state in RSVP_STATES}


async def accept_join(
    session: AsyncSession, ctx: Context, group: Group, join_id: str, participant: RemoteActor
) -> None:
    """Queue the ``Accept`` of a participant's ``Join``, as a Mobilizon organizer sends it."""
    accept = activities.accept_join(
        new_activity_id(ctx.urls, group), ctx.urls.group(group.uid), join_id, participant.ap_id
    )
    await queue_activity(
        session, group=group, activity=accept, inboxes=[participant.delivery_inbox]
    )
