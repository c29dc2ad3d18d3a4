"""A group's distribution log: record what went to whom, limits per recipient, criteria.

Private to the group's organizers and moderators: recipients are names or codes an
organizer writes ("household 14"), never fediverse accounts, and nothing here is sent
or published; only the criteria text is shown on the group's page. Categories are free
text, compared and stored normalized ("Food  Boxes" is "food boxes"). A limit says how
much of a category one recipient may receive in any window of so many days; a record
over it is refused with the time the recipient may receive again, and the organizer may
put them on the waiting list instead (``sharing.distribution_waiting``). Every change is
in the group's audit log, by distribution number, without the recipient's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import audit
from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from federation.content import clean_name
from federation.markdown import render_markdown
from sharing import needs
from sharing.distribution_models import (
    NAME_LENGTH,
    Distribution,
    DistributionCriteria,
    DistributionLimit,
)
from store.db import utcnow

MAX_QUANTITY = 100_000
MAX_DAYS = 366
MAX_CRITERIA = 5_000
"""The longest criteria text, in characters."""


class DistributionError(UserError):
    """A distribution, limit, waiting-list entry or criteria text that cannot be recorded."""


class OverLimit(DistributionError):
    """A recipient would receive more of a category than the group's limit allows."""


def recipient_name(text: str) -> tuple[str, str]:
    """A recipient as written (cleaned) and its comparison key; a DistributionError if bad."""
    name = clean_name(text, max_length=len(text))
    if not name:
        raise DistributionError("the recipient is empty: write a name or a code")
    if len(name) > NAME_LENGTH:
        raise DistributionError(
            "the recipient is %(length)s characters long: at most %(most)s",
            length=len(name),
            most=NAME_LENGTH,
        )
    return name, name.casefold()


def category_name(text: str) -> str:
    """A category, normalized: one line, single spaces, lower case."""
    name = clean_name(text, max_length=len(text)).casefold()
    if not name:
        raise DistributionError("the category is empty: write what was given, such as soap")
    if len(name) > NAME_LENGTH:
        raise DistributionError(
            "the category is %(length)s characters long: at most %(most)s",
            length=len(name),
            most=NAME_LENGTH,
        )
    return name


def check_quantity(quantity: int) -> int:
    """``quantity`` if it is a whole number from 1 to `MAX_QUANTITY`."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DistributionError(
            "a quantity is a whole number from 1 to %(most)s, not %(quantity)s",
            most=MAX_QUANTITY,
            quantity=quantity,
        )
    return quantity


async def find_limit(
    session: AsyncSession, group: Group, category: str
) -> DistributionLimit | None:
    """The group's limit on ``category`` (already normalized), if it set one."""
    found: DistributionLimit | None = await session.scalar(
        select(DistributionLimit).where(
            DistributionLimit.group_id == group.id, DistributionLimit.category == category
        )
    )
    return found


def _too_many_at_once(limit: DistributionLimit, quantity: int) -> OverLimit:
    return OverLimit(
        "at most %(most)s %(item)s per recipient in %(days)s days: %(quantity)s is more "
        "than one recipient may ever receive at once",
        most=limit.per_recipient,
        item=limit.category,
        days=limit.days,
        quantity=quantity,
    )


async def next_allowed(
    session: AsyncSession,
    group: Group,
    recipient_key: str,
    limit: DistributionLimit,
    quantity: int,
    now: dt.datetime,
) -> dt.datetime | None:
    """None when the recipient may receive ``quantity`` now; else the first time they may.

    An OverLimit when ``quantity`` alone is over the limit.
    """
    if quantity > limit.per_recipient:
        raise _too_many_at_once(limit, quantity)
    window = dt.timedelta(days=limit.days)
    given = await session.execute(
        select(Distribution.given_at, Distribution.quantity)
        .where(
            Distribution.group_id == group.id,
            Distribution.category == limit.category,
            Distribution.recipient_key == recipient_key,
            Distribution.given_at > now - window,
        )
        .order_by(Distribution.given_at, Distribution.id)
    )
    rows = given.all()
    excess = sum(amount for _, amount in rows) + quantity - limit.per_recipient
    # The oldest gifts leave the window first: once enough have, there is room again.
    for given_at, amount in rows:
        if excess <= 0:
            break
        excess -= amount
        if excess <= 0:
            return given_at + window
    return None


def _over_limit(name: str, limit: DistributionLimit, quantity: int, when: dt.datetime) -> OverLimit:
    return OverLimit(
        "%(recipient)s may receive at most %(most)s %(item)s in %(days)s days: they may "
        "receive %(quantity)s again from %(when)s; or put them on the waiting list",
        recipient=name,
        most=limit.per_recipient,
        item=limit.category,
        days=limit.days,
        quantity=quantity,
        when=when.strftime("%Y-%m-%d %H:%M UTC"),
    )


async def give(
    session: AsyncSession,
    group: Group,
    recipient: str,
    category: str,
    quantity: int,
    *,
    by: str,
    need_id: int | None = None,
) -> Distribution:
    """Add a distribution whose limit the caller checked, and log it (without the name)."""
    name, key = recipient_name(recipient)
    row = Distribution(
        group_id=group.id,
        recipient=name,
        recipient_key=key,
        category=category,
        quantity=quantity,
        need_id=need_id,
        recorded_by=by,
        given_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, by, "distribution record", group, f"#{row.id}: {quantity} {category}"
    )
    return row


async def record(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    recipient: str,
    category: str,
    quantity: int,
    *,
    by: str,
    need: int | str | None = None,
) -> Distribution:
    """Record that ``recipient`` received ``quantity`` of ``category``, now.

    Refused (OverLimit, saying when they may receive again) when the group's limit on
    the category would be passed. With ``need`` (a need's number or post id), the
    quantity also counts toward that need, in the same transaction. The caller commits.
    """
    name, key = recipient_name(recipient)
    item = category_name(category)
    check_quantity(quantity)
    limit = await find_limit(session, group, item)
    if limit is not None:
        when = await next_allowed(session, group, key, limit, quantity, utcnow())
        if when is not None:
            raise _over_limit(name, limit, quantity, when)
    need_id = None
    if need is not None:
        need_id = (await needs.record_given(session, ctx, group, need, quantity)).id
    return await give(session, group, name, item, quantity, by=by, need_id=need_id)


async def list_distributions(
    session: AsyncSession,
    group: Group,
    *,
    category: str | None = None,
    recipient: str | None = None,
    since: dt.date | None = None,
    limit: int = 500,
) -> Sequence[Distribution]:
    """The group's distributions, newest first, by category, recipient, from a day (UTC)."""
    query: Select[Distribution] = select(Distribution).where(Distribution.group_id == group.id)
    if category:
        query = query.where(Distribution.category == category_name(category))
    if recipient:
        query = query.where(Distribution.recipient_key == recipient_name(recipient)[1])
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), dt.UTC)
        query = query.where(Distribution.given_at >= start)
    rows = await session.scalars(
        query.order_by(Distribution.given_at.desc(), Distribution.id.desc()).limit(limit)
    )
    return rows.all()


async def totals(session: AsyncSession, group: Group) -> dict[str, int]:
    """Category → the quantity the group has given out of it, in all."""
    rows = await session.execute(
        select(Distribution.category, func.sum(Distribution.quantity))
        .where(Distribution.group_id == group.id)
        .group_by(Distribution.category)
        .order_by(Distribution.category)
    )
    return {category: int(total) for category, total in rows}


async def set_limit(
    session: AsyncSession, group: Group, category: str, per_recipient: int, days: int, *, by: str
) -> DistributionLimit:
    """At most ``per_recipient`` of ``category`` to one recipient in any ``days`` days."""
    item = category_name(category)
    if not 1 <= per_recipient <= MAX_QUANTITY:
        raise DistributionError(
            "a limit per recipient is a whole number from 1 to %(most)s, not %(given)s",
            most=MAX_QUANTITY,
            given=per_recipient,
        )
    if not 1 <= days <= MAX_DAYS:
        raise DistributionError(
            "a limit's period is from 1 to %(most)s days, not %(given)s",
            most=MAX_DAYS,
            given=days,
        )
    limit = await find_limit(session, group, item)
    if limit is None:
        limit = DistributionLimit(group_id=group.id, category=item)
        session.add(limit)
    limit.per_recipient, limit.days, limit.updated_at = per_recipient, days, utcnow()
    detail = f"{item}: {per_recipient} per {days} days"
    await audit.record(session, by, "distribution limit", group, detail)
    return limit


async def remove_limit(session: AsyncSession, group: Group, category: str, *, by: str) -> None:
    """Lift the group's limit on ``category``; a DistributionError if there is none."""
    item = category_name(category)
    limit = await find_limit(session, group, item)
    if limit is None:
        raise DistributionError("%(item)s has no limit to remove", item=item)
    await session.delete(limit)
    await audit.record(session, by, "distribution limit removed", group, item)


async def list_limits(session: AsyncSession, group: Group) -> Sequence[DistributionLimit]:
    """The group's limits, by category."""
    rows = await session.scalars(
        select(DistributionLimit)
        .where(DistributionLimit.group_id == group.id)
        .order_by(DistributionLimit.category)
    )
    return rows.all()


async def set_criteria(session: AsyncSession, group: Group, text: str, *, by: str) -> None:
    """Publish ``text`` (Markdown) as the group's criteria for fair distribution."""
    text = text.strip()
    if not text:
        raise DistributionError(
            "the criteria are empty: write how the group decides who receives what"
        )
    if len(text) > MAX_CRITERIA:
        raise DistributionError(
            "the criteria are %(length)s characters long: at most %(most)s",
            length=len(text),
            most=MAX_CRITERIA,
        )
    found = await session.get(DistributionCriteria, group.id)
    if found is None:
        found = DistributionCriteria(group_id=group.id)
        session.add(found)
    found.text, found.updated_at = text, utcnow()
    await audit.record(session, by, "distribution criteria", group)


async def clear_criteria(session: AsyncSession, group: Group, *, by: str) -> None:
    """Take the group's criteria off its page; a DistributionError if it has none."""
    found = await session.get(DistributionCriteria, group.id)
    if found is None:
        raise DistributionError("%(group)s has no criteria to remove", group=group.name)
    await session.delete(found)
    await audit.record(session, by, "distribution criteria removed", group)


async def criteria_text(session: AsyncSession, group: Group) -> str:
    """The group's criteria as written (Markdown); empty when it has none."""
    found = await session.get(DistributionCriteria, group.id)
    return found.text if found else ""


async def criteria_html(session: AsyncSession, ctx: Context, group: Group) -> str:
    """The group's criteria rendered to sanitized HTML for its page; empty when none."""
    text = await criteria_text(session, group)
    return render_markdown(text, tag_url=ctx.urls.tag).html if text else ""
