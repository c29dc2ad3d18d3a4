"""Offers, needs and events among the objects followed actors publish, kept as structured rows.

Called wherever ``inbox.objects`` stores, updates or tombstones an object, so a
received offer reaches the board and an event the network calendar through the
same Create/Update/Delete handling (and checks) as every other object.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from documents.received import ReceivedEvent, ReceivedOffer, parse_event, parse_offer
from federation.vocab import addressed_publicly
from inbox.models import RemoteObject
from sharing.models import RemoteEvent, RemoteOffer
from sharing.needs_models import RemoteNeedProgress
from store.db import utcnow

Kept = TypeVar("Kept", RemoteOffer, RemoteEvent)


async def _upsert(session: AsyncSession, model: type[Kept], row: RemoteObject) -> Kept:
    kept = await session.scalar(select(model).where(model.ap_id == row.ap_id))
    if kept is None:
        kept = model(ap_id=row.ap_id, attributed_to=row.attributed_to)
        session.add(kept)
    kept.via = row.via
    kept.public = addressed_publicly(row.document)
    url = row.document.get("url")
    kept.url = url if isinstance(url, str) else None
    kept.content_html = row.content_html
    kept.updated = row.updated
    return kept


async def _offer(session: AsyncSession, row: RemoteObject, found: ReceivedOffer) -> None:
    offer = await _upsert(session, RemoteOffer, row)
    offer.published = row.published
    for name in ("kind", "title", "language", "skills", "area", "valid_until", "state"):
        setattr(offer, name, getattr(found, name))
    await session.flush()
    await _need_progress(session, offer, found)


async def _need_progress(session: AsyncSession, offer: RemoteOffer, found: ReceivedOffer) -> None:
    """Keep a Mutuals need's lifecycle (stage, urgency, given) beside its board row."""
    kept = await session.scalar(
        select(RemoteNeedProgress).where(RemoteNeedProgress.remote_offer_id == offer.id)
    )
    if found.progress is None:
        if kept is not None:
            await session.delete(kept)
        return
    if kept is None:
        kept = RemoteNeedProgress(remote_offer_id=offer.id)
        session.add(kept)
    progress = found.progress
    kept.stage, kept.urgency = progress.stage, progress.urgency
    kept.quantity, kept.given = progress.quantity, progress.given
    kept.updated_at = utcnow()


async def _event(session: AsyncSession, row: RemoteObject, found: ReceivedEvent) -> None:
    event = await _upsert(session, RemoteEvent, row)
    event.starts_at, event.ends_at = found.start, found.end
    for name in ("title", "summary", "timezone", "place_name", "place_address"):
        setattr(event, name, getattr(found, name))
    event.online_url, event.rrule, event.cancelled = found.online_url, found.rrule, found.cancelled


async def mirror_shared(session: AsyncSession, row: RemoteObject) -> None:
    """Bring the ``remote_offers``/``remote_events`` row of ``row`` in line with it.

    A tombstone, or an object that is no longer an offer or event, removes it.
    """
    offer = None if row.deleted else parse_offer(row.document)
    event = None if row.deleted else parse_event(row.document)
    if offer is not None:
        await _offer(session, row, offer)
    else:
        await session.execute(delete(RemoteOffer).where(RemoteOffer.ap_id == row.ap_id))
    if event is not None:
        await _event(session, row, event)
    else:
        await session.execute(delete(RemoteEvent).where(RemoteEvent.ap_id == row.ap_id))
    await session.flush()
