"""The private message that tells the person who reported what became of their report.

Sent by the group as a direct ``Note``: ``Create{Note}`` addressed to that one account
(no ``as:Public``, no followers) and mentioning it, which Mastodon shows as a private
mention. It says what happened (the new status, and the outcome when the report is
closed), never who mediated or what the notes say.
"""

from __future__ import annotations

import logging
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from actors.remote import ActorError, get_actor
from documents import activities
from documents.multilingual import Multilingual
from moderation.models import Report, ReportCase
from outbox.send import new_activity_id, queue_activity
from store.db import utcnow

log = logging.getLogger("mutuals.moderation")

MESSAGES = {
    "mediation": "Your report about {about} is now in mediation.",
    "resolved": "Your report about {about} was resolved: {outcome}",
    "dismissed": "Your report about {about} was dismissed: {outcome}",
}
"""What the person is told, by the report's new status."""


def notice_text(report: Report, case: ReportCase) -> str:
    """The plain text of the message for ``case``'s current status."""
    about = report.target_ids[0] if report.target_ids else "an account"
    return MESSAGES[case.status].format(about=about, outcome=case.outcome)


async def tell_reporter(
    session: AsyncSession, ctx: Context, group: Group, report: Report, case: ReportCase
) -> bool:
    """Queue the message about ``case``'s new status to the person it names; False when
    nobody asked, or their account cannot be reached (the change stands all the same)."""
    if case.notify_ap_id is None:
        return False
    try:
        person = await get_actor(ctx, session, case.notify_ap_id)
    except ActorError as exc:
        log.warning("report #%s: cannot tell %s: %s", report.id, case.notify_ap_id, exc)
        return False
    handle = f"@{person.handle}"
    html = (
        f'<p><span class="h-card"><a href="{escape(person.url or person.ap_id)}" '
        f'class="u-url mention">{escape(handle)}</a></span> '
        f"{escape(notice_text(report, case))}</p>"
    )
    group_id = ctx.urls.group(group.uid)
    note_id = new_activity_id(ctx.urls, group)
    note = activities.note(
        note_id=note_id,
        actor=group_id,
        followers=ctx.urls.group_collection(group.uid, "followers"),
        content=Multilingual.single("en", html),
        published=utcnow(),
        visibility="direct",
        tags=[activities.mention(person.ap_id, handle)],
    )
    create = activities.create(new_activity_id(ctx.urls, group), group_id, note)
    await queue_activity(session, group=group, activity=create, inboxes=[person.inbox])
    return True
