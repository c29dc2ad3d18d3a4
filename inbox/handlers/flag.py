"""``Flag``: a report from another server about one of our groups, kept for its moderators.

Mastodon sends a Flag from its instance actor (an ``Application``), to the reported
account's inbox, with ``object`` = [reported account, reported posts…]; an ally running
Mutuals sends it to our instance actor's (shared) inbox. A Flag signed by a ``Person``
comes from someone who reported in their own name: they are told by private message as
the report moves on. One from an instance actor is told nothing (nobody to tell).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.remote import find_actor
from inbox.handlers.follow import local_group
from inbox.models import InboxItem
from inbox.registry import handles, signed_by_actor
from moderation.reports import flag_targets, record_flag

log = logging.getLogger("mutuals.inbox")


async def reported_group(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> int | None:
    """The group the report is for: the inbox it came to, else the first local group named.

    Mastodon sends a Flag from its instance actor to the shared inbox, with ``object``
    = [reported account, reported posts…].
    """
    if item.group_id is not None:
        return item.group_id
    for target in flag_targets(activity):
        if (group := await local_group(session, ctx, target)) is not None:
            return group.id
    return None


@handles("Flag")
@signed_by_actor
async def flag(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any], reporter: str
) -> None:
    """Store the report, open (``mutuals reports GROUP`` lists it); one about nobody here
    is dropped."""
    group_id = await reported_group(session, ctx, item, activity)
    if group_id is None:
        log.info("Flag %s names none of our groups", activity["id"])
        return
    signer = await find_actor(session, reporter)
    person = signer is not None and signer.type == "Person"
    await record_flag(session, activity, reporter=reporter, group_id=group_id, notify=person)
