"""``Flag``: a report from another server about one of our groups, kept for its organizers."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
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
    """Store the report (``mutuals reports GROUP`` lists it); one about nobody here is dropped."""
    group_id = await reported_group(session, ctx, item, activity)
    if group_id is None:
        log.info("Flag %s names none of our groups", activity["id"])
        return
    await record_flag(session, activity, reporter=reporter, group_id=group_id)
