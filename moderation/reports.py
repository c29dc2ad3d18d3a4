"""Reports: ``Flag``s received from other servers, and the reports our groups make.

A report made here can be sent on as a ``Flag`` from the instance actor (the reporting
group stays anonymous), with ``object`` = [account id, post ids…] and the reason as
``content``, as Mastodon sends it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents import activities
from federation.vocab import as_list, get_id
from moderation.models import Report
from outbox.send import queue_activity


def flag_targets(flag: dict[str, Any]) -> list[str]:
    """The ids a ``Flag`` names in its ``object`` (accounts and posts), in order."""
    return [i for i in (get_id(item) for item in as_list(flag.get("object"))) if i is not None]


async def record_flag(
    session: AsyncSession, flag: dict[str, Any], *, reporter: str, group_id: int | None
) -> Report | None:
    """Store a received ``Flag`` as a report for the group's organizers.

    ``reporter`` is the verified signer. Idempotent: a Flag id already stored gives None.
    """
    flag_id = get_id(flag)
    if flag_id is not None:
        seen = await session.execute(select(Report.id).where(Report.activity_ap_id == flag_id))
        if seen.first() is not None:
            return None
    content = flag.get("content")
    report = Report(
        group_id=group_id,
        direction="received",
        reporter_ap_id=reporter,
        target_ids=flag_targets(flag)[:100],
        content=content[:5000] if isinstance(content, str) else "",
        activity_ap_id=flag_id,
    )
    session.add(report)
    await session.flush()
    return report


async def group_reports(session: AsyncSession, group_id: int) -> Sequence[Report]:
    """Reports about or made by a group, newest first."""
    rows = await session.execute(
        select(Report).where(Report.group_id == group_id).order_by(Report.id.desc())
    )
    return rows.scalars().all()


async def report_account(
    ctx: Context,
    session: AsyncSession,
    group: Group,
    actor_id: str,
    *,
    reason: str,
    post_ids: Sequence[str] = (),
    forward_to: str | None = None,
) -> Report:
    """Record a report by ``group`` about ``actor_id``; with ``forward_to`` (an inbox of
    the account's server), send that server a ``Flag`` as well."""
    targets = [actor_id, *post_ids]
    report = Report(
        group_id=group.id,
        direction="sent",
        reporter_ap_id=ctx.urls.group(group.uid),
        target_ids=targets,
        content=reason,
        forwarded=forward_to is not None,
    )
    if forward_to is not None:
        flag_id = f"{ctx.urls.base}/flags/{secrets.token_urlsafe(12)}"
        activity = activities.flag(flag_id, ctx.urls.instance_actor, targets, reason)
        report.activity_ap_id = activity["id"]
        await queue_activity(session, group=None, activity=activity, inboxes=[forward_to])
    session.add(report)
    await session.flush()
    return report
