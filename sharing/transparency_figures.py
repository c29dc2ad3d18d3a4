"""What a group did in a month, counted from its rows: the figures of its transparency
report. Counts only: nothing here reads a name, an account or a recipient. An event
counts in the month its (next) occurrence starts: a repeating event, moved on to its
next date once it took place, counts in the month of that date.

Months are calendar months in UTC, from the first instant of the month up to (not
including) the first instant of the next.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from actors.models import Follower, Following, Group, RemoteActor
from documents.errors import UserError
from moderation.models import Report, ReportCase
from sharing.distribution_models import Distribution
from sharing.models import Event, Offer, Rsvp, Vote
from sharing.survey_models import Survey, SurveyQuestion, SurveyResponse

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class TransparencyError(UserError):
    """A report that cannot be drafted, edited or published as asked."""


@dataclass(frozen=True)
class Month:
    """A calendar month in UTC."""

    year: int
    number: int

    @property
    def label(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.number, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the month."""
        return self.next().start

    def next(self) -> Month:
        """The month after this one."""
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    def title(self) -> str:
        """``November 2026``."""
        return self.start.strftime("%B %Y")


def month_of(when: dt.datetime) -> Month:
    """The month ``when`` falls in."""
    return Month(when.year, when.month)


def previous_month(now: dt.datetime) -> Month:
    """The last month that is over at ``now``."""
    return month_of(now.replace(day=1) - dt.timedelta(days=1))


def parse_month(text: str, now: dt.datetime) -> Month:
    """``YYYY-MM`` as a month that has begun by ``now``; else a clear error."""
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        raise TransparencyError("%(month)r is not a month: write it as YYYY-MM", month=text)
    month = Month(int(found[1]), int(found[2]))
    if month.start > now:
        raise TransparencyError("%(month)s has not begun yet", month=month.label)
    return month


def _within(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], month: Month
) -> ColumnElement[bool]:
    return (column >= month.start) & (column < month.end)


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return int(await session.scalar(query) or 0)


async def _offers(session: AsyncSession, group: Group, month: Month, kind: str) -> dict[str, int]:
    """How many offers (or needs) were opened in the month, and how many closed in it:
    met (fulfilled), partly met, or otherwise (unmet, withdrawn, expired)."""
    mine = (Offer.group_id == group.id) & (Offer.kind == kind)
    opened = select(func.count(Offer.id)).where(mine, _within(Offer.created_at, month))
    closed = await session.execute(
        select(Offer.state, func.count(Offer.id))
        .where(mine, Offer.closed_at.is_not(None), _within(Offer.closed_at, month))
        .group_by(Offer.state)
    )
    by_state: dict[str, int] = {state: count for state, count in closed.all()}
    met, partly = by_state.pop("fulfilled", 0), by_state.pop("partly", 0)
    return {
        "opened": await _count(session, opened),
        "met": met,
        "partly": partly,
        "unmet": sum(by_state.values()),
    }


async def _distributed(session: AsyncSession, group: Group, month: Month) -> dict[str, int]:
    """What the distribution log says was given out in the month, by category."""
    given = await session.execute(
        select(Distribution.category, func.sum(Distribution.quantity))
        .where(Distribution.group_id == group.id, _within(Distribution.given_at, month))
        .group_by(Distribution.category)
        .order_by(Distribution.category)
    )
    return {category: int(total) for category, total in given.all()}


async def _survey_answers(session: AsyncSession, group: Group, month: Month) -> int:
    """How many times the group's surveys were answered in the month: each answer from
    the page, and each fediverse account that voted in a survey's polls."""
    page = select(func.count(SurveyResponse.id)).where(
        SurveyResponse.group_id == group.id, _within(SurveyResponse.created_at, month)
    )
    voters = (
        select(SurveyQuestion.survey_id, Vote.actor_ap_id)
        .join(Vote, Vote.poll_id == SurveyQuestion.poll_id)
        .where(SurveyQuestion.group_id == group.id, _within(Vote.created_at, month))
        .distinct()
        .subquery()
    )
    fediverse = select(func.count()).select_from(voters)
    return await _count(session, page) + await _count(session, fediverse)


async def month_figures(session: AsyncSession, group: Group, month: Month) -> dict[str, Any]:
    """Every figure of ``group``'s report for ``month``, by name."""
    needs = await _offers(session, group, month, "need")
    offers = await _offers(session, group, month, "offer")
    held = (Event.group_id == group.id) & ~Event.cancelled & _within(Event.starts_at, month)
    going = (
        select(func.count(Rsvp.id))
        .join(Event, Event.id == Rsvp.event_id)
        .where(held, Rsvp.state == "going")
    )
    followers = select(func.count(Follower.id)).where(
        Follower.group_id == group.id, Follower.accepted, _within(Follower.created_at, month)
    )
    linked = (
        select(func.count(Following.id))
        .join(RemoteActor, RemoteActor.id == Following.actor_id)
        .where(
            Following.group_id == group.id,
            Following.accepted,
            RemoteActor.type == "Group",
            _within(Following.created_at, month),
        )
    )
    received = select(func.count(Report.id)).where(
        Report.group_id == group.id,
        Report.direction == "received",
        _within(Report.created_at, month),
    )
    resolved = select(func.count(ReportCase.id)).where(
        ReportCase.group_id == group.id,
        ReportCase.status.in_(("resolved", "dismissed")),
        _within(ReportCase.updated_at, month),
    )
    opened = func.coalesce(Survey.opens_at, Survey.created_at)
    surveys = select(func.count(Survey.id)).where(
        Survey.group_id == group.id, Survey.post_id.is_not(None), _within(opened, month)
    )
    return {
        "needs_opened": needs["opened"],
        "needs_met": needs["met"],
        "needs_partly": needs["partly"],
        "needs_unmet": needs["unmet"],
        "distributed": await _distributed(session, group, month),
        "offers_made": offers["opened"],
        "offers_taken_up": offers["met"] + offers["partly"],
        "events_held": await _count(session, select(func.count(Event.id)).where(held)),
        "going": await _count(session, going),
        "new_followers": await _count(session, followers),
        "groups_linked": await _count(session, linked),
        "reports_received": await _count(session, received),
        "reports_resolved": await _count(session, resolved),
        "surveys": await _count(session, surveys),
        "survey_answers": await _survey_answers(session, group, month),
    }
