"""Skill offers and needs: open one, close it, let it expire, list the replies it got.

Every change rebuilds the ``Note`` from the ``offers`` row and sends it to the
followers (``Create`` when opened, ``Update`` when closed or expired), in the
caller's session: the caller commits the row and the activity together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from documents.multilingual import Multilingual
from documents.offer import OfferKind, OfferSpec, OfferState, offer_document
from documents.when import end_of_day, require_future, zone
from posts.models import Post
from posts.notes import new_post, republish_post
from sharing import publishing
from sharing.models import Offer
from store.db import utcnow

OFFER_TIMEZONE = "UTC"
"""Offers have no timezone of their own: ``--until DATE`` ends that day in UTC."""


def offer_spec(row: Offer) -> OfferSpec:
    """The builder's input, read back from a stored offer."""
    return OfferSpec(
        kind=row.kind,  # type: ignore[arg-type]
        title=publishing.texts(row.language, row.title, row.translations, "title"),
        body=publishing.optional_texts(row.language, row.body, row.translations, "body"),
        skills=tuple(row.skills),
        area=row.area,
        valid_until=row.valid_until,
        timezone=OFFER_TIMEZONE,
        state=row.state,  # type: ignore[arg-type]
        closed_at=row.closed_at,
    )


def _document(ctx: Context, group: Group, post: Post, row: Offer) -> dict[str, Any]:
    return offer_document(offer_spec(row), publishing.meta(ctx, group, post), ctx.urls.tag)


async def open_offer(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    kind: OfferKind,
    title: Multilingual,
    *,
    body: Multilingual | None = None,
    skills: Sequence[str] = (),
    area: str | None = None,
    until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Offer:
    """Publish an offer or need; a bad title, skill, area or past date stores nothing."""
    now = now or utcnow()
    valid_until = None if until is None else end_of_day(until, zone(OFFER_TIMEZONE))
    if valid_until is not None:
        require_future(valid_until, now, "the end date")
    spec = OfferSpec(kind, title, body, tuple(skills), area, valid_until, OFFER_TIMEZONE)
    post = new_post(ctx, group, "Note", now, spec.title.text)
    row = Offer(
        group_id=group.id,
        kind=spec.kind,
        title=spec.title.text,
        body=spec.body.text if spec.body else "",
        language=spec.title.language,
        translations=publishing.stored_translations(
            {"title": spec.title, "body": spec.body}, title.language
        ),
        skills=list(spec.skills),
        area=spec.area,
        valid_until=valid_until,
        state="open",
        created_at=now,
    )
    post.document = _document(ctx, group, post, row)
    return await publishing.publish_shared(session, ctx, group, post, row)


async def _close(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    row: Offer,
    post: Post,
    state: OfferState,
    now: dt.datetime,
) -> None:
    row.state = state
    row.closed_at = now
    post.updated_at = now
    await republish_post(session, ctx, group, post, _document(ctx, group, post, row))


async def close_offer(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    post_uid: str,
    state: OfferState,
    now: dt.datetime | None = None,
) -> Offer:
    """Mark an open offer or need ``fulfilled`` or ``withdrawn`` and send the ``Update``."""
    if state not in ("fulfilled", "withdrawn"):
        raise UserError("an offer is closed as fulfilled or withdrawn, not %(state)r", state=state)
    row, post = await publishing.find_shared(session, group, Offer, post_uid, "an offer or need")
    if row.state != "open":
        raise UserError(
            "%(kind)s %(post)s is already %(state)s",
            kind=row.kind,
            post=post.uid,
            state=row.state,
        )
    await _close(session, ctx, group, row, post, state, now or utcnow())
    return row


async def expire_offers(session: AsyncSession, ctx: Context, now: dt.datetime) -> int:
    """Close every open offer or need whose ``--until`` has passed; how many."""
    found = await session.execute(
        publishing.live_rows(Offer)
        .where(Offer.state == "open", Offer.valid_until <= now)
        .limit(100)
    )
    rows = found.all()
    for row, post, group in rows:
        await _close(session, ctx, group, row, post, "expired", now)
    return len(rows)
