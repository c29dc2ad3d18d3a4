"""Reading offers, needs and events other servers publish: the inverse of the builders.

Pure and forgiving: each parser takes an untrusted object and returns the fields a
group's board or network calendar needs, or None when the object is not one. It
reads what :mod:`.offer` and :mod:`.event` write, and Mobilizon's and Gancio's
Events (``location`` as a ``Place`` with a ``PostalAddress`` or a plain string
address; an online link as an ``attachment`` or a ``VirtualLocation``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from documents.common import MAX_TITLE
from documents.errors import UnknownTimezone
from documents.event import ONLINE_LINK_NAME
from documents.when import zone
from federation.content import MAX_TAGS, plain_text
from federation.vocab import as_list, first_type, has_type

_KINDS = {"offer": "offer", "request": "need"}
_TEXT_LIMIT = 500


def _text(doc: dict[str, Any], name: str) -> str | None:
    """``doc[name]``, or the first entry of ``doc[name + "Map"]``, as stripped plain text."""
    value = doc.get(name)
    if not isinstance(value, str):
        values = doc.get(f"{name}Map")
        value = next(iter(values.values()), None) if isinstance(values, dict) else None
    return value.strip()[:_TEXT_LIMIT] or None if isinstance(value, str) else None


def _language(doc: dict[str, Any]) -> str | None:
    for name in ("contentMap", "nameMap"):
        values = doc.get(name)
        if isinstance(values, dict) and values:
            return str(next(iter(values)))[:35]
    return None


def parse_time(value: Any) -> dt.datetime | None:
    """An ``xsd:dateTime`` as an aware datetime in UTC (taken as UTC when it has no
    offset), else None."""
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        # In UTC, as stored: a time at the very edge of the calendar has no UTC time
        # (9999-12-31T23:00-05:00 is in year 10000) and is no time at all.
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def _hashtags(doc: dict[str, Any]) -> list[str]:
    names = (t.get("name") for t in as_list(doc.get("tag")) if has_type(t, "Hashtag"))
    return [n.lstrip("#")[:100] for n in names if isinstance(n, str) and n.strip("#")][:MAX_TAGS]


@dataclass(frozen=True)
class ReceivedOffer:
    """The board's view of a received offer or need."""

    kind: str
    title: str
    language: str | None
    skills: list[str]
    area: str | None
    valid_until: dt.datetime | None
    state: str
    progress: NeedStage | None = None


@dataclass(frozen=True)
class NeedStage:
    """A Mutuals need's lifecycle (:mod:`.offer`): stage, urgency, quantity asked and given."""

    stage: str
    urgency: str | None
    quantity: int | None
    given: int | None


_STAGES = ("open", "helping", "fulfilled", "partly", "unmet", "withdrawn", "expired")
_URGENCIES = ("urgent", "week", "whenever")


def _count(value: Any) -> int | None:
    amount = value.get("hasNumericalValue") if isinstance(value, dict) else value
    try:
        number = int(str(amount))
    except ValueError:
        return None
    return number if 0 <= number < 2**31 else None


def _need_stage(doc: dict[str, Any], intent: Any) -> NeedStage | None:
    """The ``needState``, ``urgency`` and quantities a Mutuals need carries, if any."""
    stage = doc.get("needState")
    if stage not in _STAGES:
        return None
    urgency = doc.get("urgency")
    given = _count(doc.get("givenQuantity"))
    asked = _count(intent.get("resourceQuantity")) if isinstance(intent, dict) else None
    return NeedStage(
        stage=stage,
        urgency=urgency if urgency in _URGENCIES else None,
        quantity=asked if given is not None else None,
        given=given,
    )


def parse_offer(doc: dict[str, Any]) -> ReceivedOffer | None:
    """A FEP-0837 proposal (``purpose`` offer/request), or None.

    It is closed once its intent's ``availableQuantity`` is 0 (how a closed
    proposal is published), or, for a Mutuals need, once its ``needState`` says so
    (a need fully given but not yet closed lacks 0 and is still open).
    """
    kind = _KINDS.get(str(doc.get("purpose")))
    if kind is None:
        return None
    title = _text(doc, "name") or " ".join(plain_text(_text(doc, "content") or "").split())
    intent = doc.get("publishes")
    available = intent.get("availableQuantity") if isinstance(intent, dict) else None
    amount = available.get("hasNumericalValue") if isinstance(available, dict) else None
    location = doc.get("location")
    area = _text(location, "name") if isinstance(location, dict) else None
    progress = _need_stage(doc, intent) if kind == "need" else None
    closed = str(amount) in ("0", "0.0")
    if progress is not None:
        closed = progress.stage not in ("open", "helping")
    return ReceivedOffer(
        kind=kind,
        title=(title or kind)[:MAX_TITLE],
        language=_language(doc),
        skills=_hashtags(doc),
        area=area,
        valid_until=parse_time(doc.get("endTime")),
        state="closed" if closed else "open",
        progress=progress,
    )


@dataclass(frozen=True)
class ReceivedEvent:
    """The network calendar's view of a received event."""

    title: str
    summary: str
    start: dt.datetime
    end: dt.datetime | None
    timezone: str | None
    place_name: str | None
    place_address: str | None
    online_url: str | None
    rrule: str | None
    cancelled: bool


def _address(place: dict[str, Any]) -> str | None:
    address = place.get("address")
    if isinstance(address, str):
        return address.strip()[:_TEXT_LIMIT] or None
    if not isinstance(address, dict):
        return None
    parts = ("streetAddress", "postalCode", "addressLocality", "addressCountry")
    found = [str(address[p]).strip() for p in parts if isinstance(address.get(p), str)]
    return ", ".join(p for p in found if p)[:_TEXT_LIMIT] or None


def _online(doc: dict[str, Any]) -> str | None:
    links = [a for a in as_list(doc.get("attachment")) if has_type(a, "Link")]
    named = [a for a in links if a.get("name") == ONLINE_LINK_NAME] or links
    for place in as_list(doc.get("location")):
        if has_type(place, "VirtualLocation"):
            named.append(place)
    for link in named:
        href = link.get("href") or link.get("url")
        if isinstance(href, str) and href.startswith(("https://", "http://")):
            return href
    return None


def _timezone(value: Any) -> str | None:
    try:
        return zone(value).key if isinstance(value, str) else None
    except UnknownTimezone:
        return None


def parse_event(doc: dict[str, Any]) -> ReceivedEvent | None:
    """An ``Event`` with a name and a start time, or None."""
    title = _text(doc, "name")
    start = parse_time(doc.get("startTime"))
    if first_type(doc) != "Event" or title is None or start is None:
        return None
    places = [p for p in as_list(doc.get("location")) if has_type(p, "Place")]
    place = places[0] if places else None
    status = doc.get("status") or doc.get("ical:status")
    rrule = doc.get("ical:rrule")
    return ReceivedEvent(
        title=title[:MAX_TITLE],
        summary=_text(doc, "summary") or "",
        start=start,
        end=parse_time(doc.get("endTime")),
        timezone=_timezone(doc.get("timezone")),
        place_name=_text(place, "name") if place else None,
        place_address=_address(place) if place else None,
        online_url=_online(doc),
        rrule=rrule[:500] if isinstance(rrule, str) and rrule.startswith("FREQ=") else None,
        cancelled=status == "CANCELLED",
    )


def is_sharing(doc: dict[str, Any]) -> bool:
    """Whether ``doc`` is an offer, a need or an event (what ``sharing`` policies take)."""
    return parse_offer(doc) is not None or parse_event(doc) is not None
