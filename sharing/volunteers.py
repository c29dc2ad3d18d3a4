"""A group's volunteers: registering them, finding them, matching them to open needs.

People register through the public form, by replying to the group's call
(`sharing.volunteer_calls`), or an organizer records them. The form proves nobody's
identity: it refuses names shaped like a fediverse handle (a reply to the call proves
the account), and its "list me" is a request an organizer approves (`set_listing`),
which is also how an organizer takes anyone off the public page. Each is found again by
name (case does not matter), by ``@user@host`` or by ``#id``. Their skills are hashtag
names, matched to open needs as the board matches offers (`sharing.board.matches`).
Availability and area are for organizers: nothing here puts them on a public page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from documents.common import skill_names
from documents.errors import UserError
from federation.content import clean_name
from federation.markdown import normalize_hashtag
from sharing import board
from sharing.volunteer_models import Volunteer
from store.db import utcnow

MAX_NAME = 200
MAX_AVAILABILITY = 500
MAX_AREA = 200
SOURCES = ("form", "reply", "organizer")
# A word like @user@host or user@host (with the fullwidth and small at signs too,
# which NFC keeps); a word starting with @ is a mention, so it is refused as well.
HANDLE_SHAPED = re.compile(r"(?:^|\s)(?:[@＠﹫]\S|[^\s@＠﹫]+[@＠﹫]\S)")


class VolunteerError(UserError):
    """A volunteer, mentor pairing or role that cannot be recorded as asked."""


def volunteer_key(name: str) -> str:
    """The key a volunteer is found by: the name, case-folded (a handle keeps its ``@``)."""
    return clean_name(name, max_length=MAX_NAME).casefold()


def _clean(value: str, limit: int) -> str | None:
    """``value`` as one line of plain text; None when it is longer than ``limit``."""
    cleaned = clean_name(value, max_length=limit + 1)
    return None if len(cleaned) > limit else cleaned


def checked_skills(skills: Sequence[str]) -> list[str]:
    """Skills as hashtag names; at least one, else an error saying how to give them."""
    names = list(skill_names([s for s in skills if s.strip()]))
    if not names:
        raise VolunteerError(
            "say what the volunteer can do: at least one skill, such as cooking or first_aid"
        )
    return names


def check_form_name(name: str) -> None:
    """Refuse, for the public form, a name shaped like a fediverse handle: anyone could
    type someone else's; a reply to the group's call proves the account instead."""
    if HANDLE_SHAPED.search(clean_name(name, max_length=MAX_NAME + 1)):
        raise VolunteerError(
            "this form cannot register a fediverse account: write your name without "
            "@, or reply to the group's call for volunteers from that account (the reply "
            "proves it is yours)"
        )


async def register(
    session: AsyncSession,
    group: Group,
    name: str,
    *,
    skills: Sequence[str],
    availability: str = "",
    area: str = "",
    listed: bool = False,
    asked_to_be_listed: bool = False,
    source: str = "organizer",
    actor_ap_id: str | None = None,
) -> Volunteer:
    """Record a new volunteer of ``group``, ``listed`` or ``asked_to_be_listed`` (waiting
    for an organizer); a missing name or skill, or a name already registered, is refused
    and nothing is stored."""
    cleaned = _clean(name, MAX_NAME)
    if cleaned is None:
        raise VolunteerError(
            "the name is too long; the limit is %(limit)s characters", limit=MAX_NAME
        )
    if not cleaned:
        raise VolunteerError("give the volunteer's name or fediverse handle")
    when = _clean(availability, MAX_AVAILABILITY)
    if when is None:
        raise VolunteerError(
            "the availability is too long; the limit is %(limit)s characters",
            limit=MAX_AVAILABILITY,
        )
    where = _clean(area, MAX_AREA)
    if where is None:
        raise VolunteerError(
            "the area is too long; the limit is %(limit)s characters", limit=MAX_AREA
        )
    row = Volunteer(
        group_id=group.id,
        name=cleaned,
        key=volunteer_key(cleaned),
        actor_ap_id=actor_ap_id,
        skills=checked_skills(skills),
        availability=when,
        area=where,
        listed=listed,
        asked_to_be_listed=asked_to_be_listed and not listed,
        source=source,
    )
    if await by_key(session, group, row.key) is not None:
        raise VolunteerError(
            "%(name)s is already registered with this group; write the name differently, "
            "or ask an organizer to change the entry",
            name=cleaned,
        )
    session.add(row)
    await session.flush()
    return row


async def by_key(session: AsyncSession, group: Group, key: str) -> Volunteer | None:
    """The volunteer of ``group`` with this `volunteer_key`, if any."""
    found: Volunteer | None = await session.scalar(
        select(Volunteer).where(Volunteer.group_id == group.id, Volunteer.key == key)
    )
    return found


async def find_volunteer(session: AsyncSession, group: Group, name: str) -> Volunteer:
    """The volunteer called ``name`` (or ``#ID``); an error saying how to list them."""
    text = name.strip()
    found: Volunteer | None
    if text.startswith("#") and text[1:].isdigit():
        found = await session.get(Volunteer, int(text[1:]))
        found = found if found is not None and found.group_id == group.id else None
    else:
        found = await by_key(session, group, volunteer_key(text))
    if found is None:
        raise VolunteerError(
            "%(group)s has no volunteer %(name)r; list them with: mutuals volunteers %(group)s",
            group=group.name,
            name=name,
        )
    return found


def set_listing(row: Volunteer, on: bool, *, by: str) -> None:
    """The organizer ``by`` lists ``row`` on the public page (approving a request) or takes
    them off it (declining one); either way the request is answered."""
    row.listed, row.asked_to_be_listed = on, False
    row.unlisted_by = None if on else by
    row.updated_at = utcnow()


def listing_state(row: Volunteer) -> str:
    """``listed``, ``asked to be listed`` (waiting for an organizer) or ``unlisted``."""
    if row.listed:
        return "listed"
    return "asked to be listed" if row.asked_to_be_listed else "unlisted"


def merge_skills(row: Volunteer, skills: Sequence[str]) -> None:
    """Add ``skills`` to the volunteer's (a spelling already there is kept)."""
    row.skills = list(skill_names([*row.skills, *skills]))
    row.updated_at = utcnow()


async def inventory(
    session: AsyncSession, group: Group, *, skill: str | None = None, area: str | None = None
) -> list[Volunteer]:
    """The group's volunteers, by name; with ``skill``, those who have it (as a hashtag);
    with ``area``, those whose area contains it."""
    rows = await session.scalars(select(Volunteer).where(Volunteer.group_id == group.id))
    found = sorted(rows, key=lambda row: row.key)
    if skill:
        wanted = normalize_hashtag(skill)
        found = [row for row in found if wanted in {normalize_hashtag(s) for s in row.skills}]
    if area:
        part = area.casefold()
        found = [row for row in found if part in row.area.casefold()]
    return found


def as_entry(row: Volunteer) -> board.Entry:
    """A volunteer as the board sees an offer of help, so the board's matching applies."""
    return board.Entry(
        "offer", row.name, tuple(row.skills), row.area or None, None, row.name, f"#{row.id}"
    )


@dataclass(frozen=True)
class Matches:
    """Each open need with the volunteers whose skills it asks for, and each volunteer
    with the needs they match."""

    needs: list[tuple[board.Entry, list[Volunteer]]]
    volunteers: list[tuple[Volunteer, list[board.Entry]]]


async def match_needs(session: AsyncSession, group: Group) -> Matches:
    """The group's (and its network's) open needs against its volunteers' skills."""
    entries = await board.open_entries(session, group)
    needs = [entry for entry in entries if entry.kind == "need"]
    volunteers = await inventory(session, group)
    by_url = {f"#{row.id}": row for row in volunteers}
    offers = [as_entry(row) for row in volunteers]
    per_need = [(need, [by_url[e.url] for e in board.matches(need, offers)]) for need in needs]
    per_volunteer = [
        (row, [need for need, found in per_need if row in found]) for row in volunteers
    ]
    return Matches(per_need, per_volunteer)
