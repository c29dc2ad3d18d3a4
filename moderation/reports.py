"""Reports: ``Flag``s received from other servers, and the reports our groups make.

A report made here can be sent on as a ``Flag`` from the instance actor (the reporting
group stays anonymous), with ``object`` = [account id, post ids…] and the reason as
``content``, as Mastodon sends it (``ReportForwardingService``), to the instance actor
of the account's server (``moderation.forwarding``). Each report starts the grievance
process open (``moderation.grievances``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from actors.instance import Context
from actors.models import Group
from documents import activities
from federation.vocab import as_list, get_id
from moderation.forwarding import flag_inbox
from moderation.grievances import GrievanceError, open_case
from moderation.models import Report
from moderation.targets import known_actor, remote_account_id
from outbox.send import queue_activity


def flag_targets(flag: dict[str, Any]) -> list[str]:
    """The ids a ``Flag`` names in its ``object`` (accounts and posts), in order."""
    return [i for i in (get_id(item) for item in as_list(flag.get("object"))) if i is not None]


async def record_flag(
    session: AsyncSession,
    flag: dict[str, Any],
    *,
    reporter: str,
    group_id: int | None,
    notify: bool = False,
) -> Report | None:
    """Store a received ``Flag`` as a report for the group's moderators, open.

    ``reporter`` is the verified signer, told of status changes when ``notify``.
    Idempotent: a Flag id already stored gives None.
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
    await open_case(session, report, notify=reporter if notify else None)
    return report


async def report_account(
    ctx: Context,
    session: AsyncSession,
    group: Group,
    actor_id: str,
    *,
    reason: str,
    post_ids: Sequence[str] = (),
    forward_to: str | None = None,
    notify: str | None = None,
    by: str = audit.COMMAND_LINE,
) -> Report:
    """Record (and log) a report by ``group`` about ``actor_id``, told to ``notify`` (an
    actor id) as it moves on; with ``forward_to`` (the inbox of the account's server),
    send that server a ``Flag`` as well."""
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
    await open_case(session, report, notify=notify, forwarded_to=forward_to)
    sent = f" (sent on to {forward_to})" if forward_to else ""
    await audit.record(session, by, "report", group, f"#{report.id} about {actor_id}{sent}")
    return report


async def make_report(
    ctx: Context,
    session: AsyncSession,
    group: Group,
    account: str,
    *,
    reason: str,
    post_ids: Sequence[str] = (),
    forward: bool = False,
    notify: str = "",
    by: str = audit.COMMAND_LINE,
) -> tuple[Report, str | None]:
    """Report ``account`` (user@host or URL) as ``mutuals report`` and the Reports page do,
    told to ``notify`` (user@host or URL; "" for nobody); with ``forward``, send a ``Flag``
    to the instance actor of its server. The report, and the inbox the Flag went to."""
    if not reason.strip():
        raise GrievanceError("say what is wrong: the reason is empty")
    actor_id = await remote_account_id(ctx, account)
    person = await remote_account_id(ctx, notify) if notify.strip() else None
    inbox = None
    if forward:
        actor, why = await known_actor(ctx, session, actor_id)
        if actor is None:
            raise GrievanceError("cannot forward the report: %(reason)s", reason=why)
        inbox = await flag_inbox(ctx, session, actor)
    report = await report_account(
        ctx,
        session,
        group,
        actor_id,
        reason=reason,
        post_ids=post_ids,
        forward_to=inbox,
        notify=person,
        by=by,
    )
    return report, inbox
