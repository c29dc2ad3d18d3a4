"""Monthly transparency reports: a draft prepared from the group's figures on the first
day of each month, edited by organizers, then published as an ``Article`` to followers.

A draft is (re)made by `draft_report` (``mutuals transparency draft``, the admin page,
and the worker's `prepare_due_drafts` for the month just over); organizers change its
text (`edit_report`), and `publish_report` sends it. The figures come from
``sharing.transparency_figures``: counts only, never names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.article import article
from documents.multilingual import Multilingual
from federation.markdown import render_markdown
from posts.models import Post
from posts.notes import check_text, new_post, publish_post
from sharing.transparency_figures import (
    Month,
    TransparencyError,
    month_figures,
    previous_month,
)
from sharing.transparency_models import TransparencyReport
from store.db import utcnow


def figure_lines(figures: dict[str, Any]) -> list[str]:
    """The report's figures in words, one line each: ``Needs: 5 opened, 3 met, …``."""
    f = figures
    given = ", ".join(f"{n} {category}" for category, n in f["distributed"].items())
    return [
        f"Needs: {f['needs_opened']} opened, {f['needs_met']} met, "
        f"{f['needs_partly']} partly met, {f['needs_unmet']} closed unmet",
        f"Given out: {given or 'nothing recorded'}",
        f"Offers: {f['offers_made']} made, {f['offers_taken_up']} taken up",
        f"Events: {f['events_held']} held, {f['going']} said they were going",
        f"Surveys: {f['surveys']} opened, answered {f['survey_answers']} times",
        f"Followers: {f['new_followers']} new; {f['groups_linked']} groups linked",
        f"Reports: {f['reports_received']} received, {f['reports_resolved']} resolved",
    ]


def draft_text(group: Group, month: Month, figures: dict[str, Any]) -> str:
    """The Markdown a report starts from: what the figures say, and room for the rest."""
    name = group.display_name or group.name
    lines = "\n".join(f"- {line}" for line in figure_lines(figures))
    return (
        f"What {name} did in {month.title()}, counted from its records "
        "(counts only, never names).\n\n"
        f"{lines}\n\n"
        "What the numbers do not say: …\n"
    )


async def find_report(
    session: AsyncSession, group: Group, month: Month
) -> TransparencyReport | None:
    """The group's report for ``month``, drafted or published, if any."""
    return await session.scalar(
        select(TransparencyReport).where(
            TransparencyReport.group_id == group.id, TransparencyReport.month == month.label
        )
    )


async def draft_report(session: AsyncSession, group: Group, month: Month) -> TransparencyReport:
    """The draft for ``month``, made now or with its figures counted again; a text the
    organizers edited is kept. A published report is returned as it was published."""
    report = await find_report(session, group, month)
    if report is not None and report.published_at is not None:
        return report
    figures = await month_figures(session, group, month)
    if report is None:
        report = TransparencyReport(group_id=group.id, month=month.label, text="")
        session.add(report)
    report.figures = figures
    if not report.edited:
        report.text = draft_text(group, month, figures)
    await session.flush()
    return report


async def edit_report(
    session: AsyncSession, group: Group, month: Month, text: str
) -> TransparencyReport:
    """Replace the draft's text with the organizers' ``text`` (Markdown)."""
    check_text(text)
    report = await draft_report(session, group, month)
    if report.published_at is not None:
        raise TransparencyError("the report for %(month)s is already published", month=month.label)
    report.text, report.edited = text, True
    await session.flush()
    return report


async def publish_report(
    session: AsyncSession, ctx: Context, group: Group, month: Month, now: dt.datetime | None = None
) -> Post:
    """Publish the report for ``month`` (drafted first if need be) as an ``Article`` to
    the group's followers; refused before the month is over and once published."""
    now = now or utcnow()
    if month.end > now:
        raise TransparencyError(
            "%(month)s is not over yet: publish its report from %(date)s",
            month=month.label,
            date=month.end.date().isoformat(),
        )
    report = await draft_report(session, group, month)
    if report.published_at is not None:
        raise TransparencyError("the report for %(month)s is already published", month=month.label)
    rendered = render_markdown(report.text, tag_url=ctx.urls.tag)
    name = group.display_name or group.name
    post = new_post(ctx, group, "Article", now, report.text)
    post.document = article(
        article_id=post.document["id"],
        actor=ctx.urls.group(group.uid),
        followers=ctx.urls.group_collection(group.uid, "followers"),
        title=f"{name}: transparency report, {month.title()}",
        summary=" · ".join(figure_lines(report.figures)),
        content=Multilingual.single("en", rendered.html),
        published=now,
    )
    await publish_post(session, ctx, group, post)
    report.post_id, report.published_at = post.id, now
    await session.flush()
    return post


async def published_reports(session: AsyncSession, group: Group) -> Sequence[tuple[str, Post]]:
    """The group's published reports, newest month first: (``YYYY-MM``, its post)."""
    found = await session.execute(
        select(TransparencyReport.month, Post)
        .join(Post, Post.id == TransparencyReport.post_id)
        .where(TransparencyReport.group_id == group.id, Post.deleted_at.is_(None))
        .order_by(TransparencyReport.month.desc())
    )
    return [(month, post) for month, post in found.all()]


async def prepare_due_drafts(session: AsyncSession, now: dt.datetime) -> int:
    """Draft the report of the month just over for every group that has none yet (the
    worker's step, so drafts appear on the first day of each month); how many."""
    month = previous_month(now)
    drafted = select(TransparencyReport.group_id).where(TransparencyReport.month == month.label)
    groups = await session.scalars(
        select(Group).where(Group.id.not_in(drafted), Group.created_at < month.end)
    )
    count = 0
    for group in groups.all():
        await draft_report(session, group, month)
        count += 1
    return count
