"""Skill offers and needs: open one, close it, let it expire, list the replies it got.

Every change rebuilds the ``Note`` from the ``offers`` row (and a need's
``need_progress`` and helpers, :mod:`sharing.needs`) and sends it to the
followers (``Create`` when opened, ``Update`` when closed or expired), in the
caller's session: the caller commits the row and the activity together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from documents.multilingual import Multilingual
from documents.offer import OfferKind, OfferSpec, OfferState, Urgency, offer_document
from documents.when import end_of_day, require_future, zone
from posts.models import Post
from posts.notes import new_post, republish_post
from sharing import publishing
from sharing.models import Offer
from sharing.needs_models import NeedHelper, NeedProgress
from store.db import utcnow

OFFER_TIMEZONE = "UTC"
"""Offers have no timezone of their own: ``--until DATE`` ends that day in UTC."""


def offer_spec(
    row: Offer, progress: NeedProgress | None = None, helping: bool = False
) -> OfferSpec:
    """The builder's input, read back from a stored offer (and a need's progress)."""
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
        urgency=progress.urgency if progress else None,  # type: ignore[arg-type]
        quantity=progress.quantity if progress else None,
        given=progress.given if progress else 0,
        helping=helping,
    )


async def progress_of(session: AsyncSession, row: Offer) -> tuple[NeedProgress | None, bool]:
    """A need's ``need_progress`` row (None for offers and older needs), and whether
    anyone is helping."""
    progress = await session.scalar(select(NeedProgress).where(NeedProgress.offer_id == row.id))
    helping = await session.scalar(select(exists().where(NeedHelper.offer_id == row.id)))
    return progress, bool(helping)


async def document_of(
    session: AsyncSession, ctx: Context, group: Group, post: Post, row: Offer
) -> dict[str, Any]:
    """The ``Note`` of a stored offer or need, as it is now."""
    spec = offer_spec(row, *await progress_of(session, row))
    return offer_document(spec, publishing.meta(ctx, group, post), ctx.urls.tag)


async def republish_offer(
    session: AsyncSession, ctx: Context, group: Group, row: Offer, post: Post, now: dt.datetime
) -> None:
    """Rebuild the offer's ``Note`` after a change and queue its ``Update``."""
    post.updated_at = now
    await republish_post(
        session, ctx, group, post, await document_of(session, ctx, group, post, row)
    )


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
    urgency: Urgency | None = None,
    quantity: int | None = None,
    now: dt.datetime | None = None,
) -> Offer:
    """Publish an offer or need; a bad title, skill, area, past date, urgency or quantity
    stores nothing. A need's lifecycle is tracked (``urgency`` defaults to whenever)."""
    now = now or utcnow()
    valid_until = None if until is None else end_of_day(until, zone(OFFER_TIMEZONE))
    if valid_until is not None:
        require_future(valid_until, now, "the end date")
    if kind == "offer" and (urgency or quantity is not None):
        raise UserError("only a need has an urgency and a quantity")
    if kind == "need":
        urgency = urgency or "whenever"
    spec = OfferSpec(
        kind, title, body, tuple(skills), area, valid_until, OFFER_TIMEZONE,
        urgency=urgency, quantity=quantity,
    )  # fmt: skip
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
    post.document = offer_document(spec, publishing.meta(ctx, group, post), ctx.urls.tag)
    await publishing.publish_shared(session, ctx, group, post, row)
    if spec.urgency is not None:
        progress = NeedProgress(
            group_id=group.id, offer_id=row.id, urgency=spec.urgency, quantity=quantity,
            given=0, created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(progress)
        await session.flush()
    return row


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
    await republish_offer(session, ctx, group, row, post, now)


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
