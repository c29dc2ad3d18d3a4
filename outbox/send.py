"""Queueing an activity for delivery: the one way anything leaves this instance.

The activity row and one delivery row per distinct inbox are added to the caller's
session, so they commit (or not) together with the domain change that caused them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Follower, Group, RemoteActor
from actors.urls import Urls
from outbox.models import Activity, Delivery


def new_activity_id(urls: Urls, group: Group) -> str:
    """A fresh, unguessable activity id under the group."""
    return urls.activity(group.uid, secrets.token_urlsafe(12))


async def queue_activity(
    session: AsyncSession,
    *,
    group: Group | None,
    activity: dict[str, Any],
    inboxes: Iterable[str],
    public: bool = False,
) -> Activity:
    """Store ``activity`` (sent by ``group``; None = instance actor) and one delivery per inbox."""
    row = Activity(
        ap_id=activity["id"],
        group_id=group.id if group is not None else None,
        type=activity["type"],
        public=public,
        document=activity,
    )
    session.add(row)
    await session.flush()
    for inbox in dict.fromkeys(inboxes):
        session.add(Delivery(activity_id=row.id, inbox=inbox, host=urlsplit(inbox).netloc.lower()))
    return row


async def follower_inboxes(session: AsyncSession, group: Group) -> list[str]:
    """Distinct inboxes of a group's accepted followers, shared inboxes preferred."""
    result = await session.execute(
        select(RemoteActor.shared_inbox, RemoteActor.inbox)
        .join(Follower, Follower.actor_id == RemoteActor.id)
        .where(Follower.group_id == group.id, Follower.accepted.is_(True))
    )
    return list(dict.fromkeys(shared or inbox for shared, inbox in result.all()))
