"""Queueing an activity for delivery: the one way anything leaves this instance.

Everything is added to the caller's session, so it commits (or not) together with
the domain change that caused it. `queue_activity` addresses an explicit list of
inboxes (an ``Accept``, a ``Follow``); `queue_to_followers` addresses a group's
followers however many there are: the first `INLINE` now, the rest by a fan-out job
(``outbox.fanout``) that the workers expand in batches.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.keys import assertion_key_id, ed25519_key
from actors.models import Group
from actors.urls import Urls
from federation import proofs
from federation.origin import netloc_of
from federation.vocab import get_id, has_type
from outbox.fanout import expand
from outbox.models import Activity, Delivery, FanOut
from store.db import utcnow

INLINE = 100
"""Followers addressed in the posting transaction itself; a small group needs no job."""


def new_activity_id(urls: Urls, group: Group) -> str:
    """A fresh, unguessable activity id under the group."""
    return urls.activity(group.uid, secrets.token_urlsafe(12))


def signed(group: Group, activity: dict[str, Any]) -> dict[str, Any]:
    """``activity`` with the group's integrity proof (FEP-8b32), and so the object it
    carries when the group wrote it (its post's ``Create`` or ``Update``): a network that
    relays the post passes that proof on, and its readers need not fetch the post here.
    """
    actor = get_id(activity.get("actor"))
    if actor is None or group.ed25519_private_pem is None:
        return activity
    key, key_id, now = ed25519_key(group.ed25519_private_pem), assertion_key_id(actor), utcnow()
    obj = activity.get("object")
    if isinstance(obj, dict) and get_id(obj.get("attributedTo")) == actor:
        # The object's proof needs the terms it uses: the activity's context.
        context = activity.get("@context")
        embedded = obj if context is None else {"@context": context, **obj}
        activity = {**activity, "object": proofs.sign(embedded, key, key_id, now)}
    return proofs.sign(activity, key, key_id, now)


RELAYED = ("Create", "Update", "Delete")
"""The activities a group relays whole inside an ``Announce`` (FEP-1b12)."""


def about(activity: dict[str, Any]) -> str | None:
    """The id of the object ``activity`` is about, which keeps its deliveries to an inbox
    in order (``outbox.claims``). A group's FEP-1b12 ``Announce`` of a ``Create`` (or an
    ``Update``, a ``Delete``) is about that activity's object, as is the plain boost it
    sends after it: otherwise the two race, and a group that gets the boost first keeps
    the post as a boost and never relays the ``Create`` on.
    """
    obj = activity.get("object")
    if activity.get("type") == "Announce" and isinstance(obj, dict) and has_type(obj, *RELAYED):
        return get_id(obj.get("object")) or get_id(obj)
    return get_id(obj)


async def _store(
    session: AsyncSession, group: Group | None, activity: dict[str, Any], public: bool
) -> Activity:
    if group is not None:
        activity = signed(group, activity)
    row = Activity(
        ap_id=activity["id"],
        group_id=group.id if group is not None else None,
        type=activity["type"],
        object_ap_id=about(activity),
        public=public,
        document=activity,
    )
    session.add(row)
    await session.flush()
    return row


async def queue_activity(
    session: AsyncSession,
    *,
    group: Group | None,
    activity: dict[str, Any],
    inboxes: Iterable[str],
    public: bool = False,
) -> Activity:
    """Store ``activity`` (sent by ``group``; None = instance actor) and one delivery per inbox."""
    row = await _store(session, group, activity, public)
    for inbox in dict.fromkeys(inboxes):
        session.add(Delivery(activity_id=row.id, inbox=inbox, host=netloc_of(inbox)))
    return row


async def queue_to_followers(
    session: AsyncSession,
    *,
    group: Group,
    activity: dict[str, Any],
    public: bool = False,
    also: Sequence[str] = (),
) -> Activity:
    """Store ``activity`` and address it to every accepted follower of ``group``, and to
    the inboxes ``also`` names (accounts it mentions that may not follow the group).

    Instant for any number of followers: at most `INLINE` delivery rows are written
    here, and a fan-out job for the rest when there are more.
    """
    row = await _store(session, group, activity, public)
    if also:
        for inbox in dict.fromkeys(also):
            session.add(Delivery(activity_id=row.id, inbox=inbox, host=netloc_of(inbox)))
        # Written first: the fan-out skips an inbox that already has this activity's row.
        await session.flush()
    job = FanOut(activity_id=row.id, group_id=group.id, cursor=0)
    if not await expand(session, job, limit=INLINE):
        session.add(job)
    return row
