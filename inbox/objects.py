"""Storing what followed actors publish: remote objects and their tombstones.

Ownership is decided here once: an object belongs to its ``attributedTo``. A tombstone
row (``deleted=True``) is final: a ``Delete`` that arrives before its ``Create`` wins,
and nothing later brings the object back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from federation.content import clean_name, object_html, sanitize_html
from federation.origin import host_of, same_origin
from federation.vocab import as_list, first_type, get_id
from inbox.models import RemoteObject
from inbox.shape import http_url
from inbox.shared_objects import mirror_shared
from moderation.checks import domain_rule
from store.db import utcnow

MEDIA_KEYS = frozenset({"attachment", "icon", "image"})

# Mastodon shows Note and Question as posts and converts the others; we keep them all.
OBJECT_TYPES = frozenset(
    {"Note", "Question", "Article", "Page", "Event", "Image", "Audio", "Video"}
)


def owners(doc: dict[str, Any]) -> list[str]:
    """The ids in ``attributedTo`` (PeerTube lists the account and its channel)."""
    found = (http_url(get_id(value)) for value in as_list(doc.get("attributedTo")))
    return [owner for owner in found if owner is not None]


def is_storable(doc: Any) -> bool:
    """True for an object of a type we keep, with an http(s) id and an owner."""
    return (
        isinstance(doc, dict)
        and first_type(doc) in OBJECT_TYPES
        and http_url(doc.get("id")) is not None
        and bool(owners(doc))
    )


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when


async def find_object(session: AsyncSession, ap_id: str) -> RemoteObject | None:
    """A stored object or tombstone by id."""
    result = await session.execute(select(RemoteObject).where(RemoteObject.ap_id == ap_id))
    return result.scalar_one_or_none()


def _cleaned(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its ``summary`` sanitized and its ``name`` made plain, safe text.

    ``content`` stays as sent (``content_html`` is its sanitized form); these two have
    no column of their own, so the stored document carries their clean versions.
    """
    clean = dict(doc)
    if isinstance(doc.get("summary"), str):
        clean["summary"] = sanitize_html(doc["summary"])
    if isinstance(doc.get("name"), str):
        clean["name"] = clean_name(doc["name"], max_length=500)
    return clean


def _fill(row: RemoteObject, doc: dict[str, Any], owner: str) -> None:
    row.type = first_type(doc) or "Note"
    row.attributed_to = owner
    row.content_html = object_html(doc)
    row.document = _cleaned(doc)
    row.published = _time(doc.get("published"))
    row.updated = _time(doc.get("updated"))


async def limited(session: AsyncSession, doc: dict[str, Any]) -> dict[str, Any] | None:
    """The part of ``doc`` we may keep under its domain's rule (``mutuals domain block``).

    A silenced domain's objects are not kept, so they are never shown or relayed (its
    accounts can still follow our groups); a domain whose media is rejected has its
    attachments, icons and images dropped, so nothing of them is stored or fetched.
    """
    rule = await domain_rule(session, host_of(doc["id"]))
    if rule is not None and rule.silence:
        return None
    if rule is not None and rule.reject_media:
        return {key: value for key, value in doc.items() if key not in MEDIA_KEYS}
    return doc


async def store_object(
    session: AsyncSession, doc: dict[str, Any], owner: str, *, via: str | None = None
) -> RemoteObject | None:
    """Keep a new object (``is_storable`` and owned by ``owner``); a known one is left alone.

    ``via`` is the group that relayed it, when it came through one. A tombstone with
    this id wins: the object stays deleted. None when its domain's rule keeps it out
    (see ``limited``).
    """
    row = await find_object(session, doc["id"])
    if row is None:
        kept = await limited(session, doc)
        if kept is None:
            return None
        doc = kept
        row = RemoteObject(ap_id=doc["id"], via=via)
        _fill(row, doc, owner)
        session.add(row)
        await session.flush()
        await mirror_shared(session, row)
    return row


async def forget(session: AsyncSession, row: RemoteObject) -> None:
    """Drop an object we keep no longer (not a tombstone: it may come back)."""
    row.deleted = True
    await mirror_shared(session, row)
    await session.delete(row)
    await session.flush()


def update_object(row: RemoteObject, doc: dict[str, Any]) -> None:
    """Replace a live object's content with its owner's new version."""
    if not row.deleted:
        _fill(row, doc, row.attributed_to)
        row.updated = row.updated or utcnow()


async def tombstone(session: AsyncSession, ap_id: str, owner: str) -> RemoteObject:
    """Mark an object deleted, creating the tombstone when the object is not known yet.

    The caller has checked that ``owner`` may delete ``ap_id``.
    """
    row = await find_object(session, ap_id)
    if row is None:
        row = RemoteObject(ap_id=ap_id, type="Tombstone", attributed_to=owner)
        session.add(row)
    row.deleted = True
    row.content_html = ""
    row.document = {}
    row.updated = utcnow()
    await session.flush()
    await mirror_shared(session, row)
    return row


def owned_by(doc: dict[str, Any], actor: str) -> bool:
    """True when ``actor`` is among the object's owners and the object lives on its origin."""
    return actor in owners(doc) and same_origin(doc["id"], actor)
