"""Pathways: mentors for newcomers, times helped, roles with written criteria, badges.

A group writes down each role's criteria (a text, and how many times a volunteer must
have helped). A role is granted only by an organizer, and only once the count is
reached: the organizer's grant is the approval. Granted roles are the badges the public
volunteers page shows, for the volunteers who agreed to be listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.models import Group
from federation.content import clean_name
from sharing.volunteer_models import Volunteer, VolunteerBadge, VolunteerHelp, VolunteerRole
from sharing.volunteers import VolunteerError, find_volunteer
from store.db import utcnow

MAX_ROLE = 60
MAX_CRITERIA = 2000


async def pair_mentor(
    session: AsyncSession, group: Group, newcomer_name: str, mentor_name: str
) -> tuple[Volunteer, Volunteer]:
    """Pair the volunteer ``newcomer_name`` with the mentor ``mentor_name`` (both known)."""
    newcomer = await find_volunteer(session, group, newcomer_name)
    mentor = await find_volunteer(session, group, mentor_name)
    if newcomer.id == mentor.id:
        raise VolunteerError(
            "%(name)s cannot mentor themselves: choose another volunteer as mentor",
            name=newcomer.name,
        )
    newcomer.mentor_id, newcomer.mentored_since = mentor.id, utcnow()
    return newcomer, mentor


async def times_helped(session: AsyncSession, volunteer: Volunteer) -> int:
    """How many times ``volunteer`` helped, as organizers recorded it."""
    count = await session.scalar(
        select(func.count()).where(VolunteerHelp.volunteer_id == volunteer.id)
    )
    return int(count or 0)


async def help_counts(session: AsyncSession, group: Group) -> dict[int, int]:
    """Volunteer id → times helped, for every volunteer of ``group`` who helped."""
    rows = await session.execute(
        select(VolunteerHelp.volunteer_id, func.count())
        .where(VolunteerHelp.group_id == group.id)
        .group_by(VolunteerHelp.volunteer_id)
    )
    return {volunteer_id: int(count) for volunteer_id, count in rows}


async def record_help(
    session: AsyncSession, group: Group, name: str, *, by: str
) -> tuple[Volunteer, int]:
    """Record that the volunteer ``name`` helped once more; the volunteer and their count."""
    volunteer = await find_volunteer(session, group, name)
    session.add(VolunteerHelp(group_id=group.id, volunteer_id=volunteer.id, recorded_by=by))
    await session.flush()
    return volunteer, await times_helped(session, volunteer)


async def define_role(
    session: AsyncSession, group: Group, name: str, *, criteria: str, helped: int = 0
) -> VolunteerRole:
    """Write down (or rewrite) a role's criteria: a text, and times helped needed."""
    role_name = clean_name(name, max_length=MAX_ROLE + 1)
    if not role_name or len(role_name) > MAX_ROLE:
        raise VolunteerError(
            "a role needs a name of 1 to %(limit)s characters, such as mentor", limit=MAX_ROLE
        )
    text = criteria.strip()
    if not text or len(text) > MAX_CRITERIA:
        raise VolunteerError(
            "write the role's criteria (up to %(limit)s characters), such as "
            "'helped five times and approved by an organizer'",
            limit=MAX_CRITERIA,
        )
    if helped < 0:
        raise VolunteerError("the times helped cannot be below zero")
    role = await _role(session, group, role_name)
    if role is None:
        role = VolunteerRole(group_id=group.id, name=role_name)
        session.add(role)
    role.criteria, role.helped_needed = text, helped
    await session.flush()
    return role


async def _role(session: AsyncSession, group: Group, name: str) -> VolunteerRole | None:
    found: VolunteerRole | None = await session.scalar(
        select(VolunteerRole).where(
            VolunteerRole.group_id == group.id,
            func.lower(VolunteerRole.name) == name.strip().lower(),
        )
    )
    return found


async def list_roles(session: AsyncSession, group: Group) -> list[VolunteerRole]:
    """The group's roles, by name."""
    rows = await session.scalars(
        select(VolunteerRole).where(VolunteerRole.group_id == group.id).order_by(VolunteerRole.name)
    )
    return list(rows)


async def grant_role(
    session: AsyncSession, group: Group, name: str, role_name: str, *, by: str
) -> tuple[Volunteer, VolunteerRole]:
    """Grant ``role_name`` to the volunteer ``name`` (the approval of the organizer ``by``);
    refused, with the reason, for an unknown role or criteria not met. The volunteer and
    the role."""
    volunteer = await find_volunteer(session, group, name)
    role = await _role(session, group, role_name)
    if role is None:
        known = ", ".join(r.name for r in await list_roles(session, group)) or "none yet"
        raise VolunteerError(
            "%(group)s has no role %(role)r (its roles: %(known)s); write one with: "
            "mutuals volunteers role %(group)s NAME --criteria TEXT",
            group=group.name,
            role=role_name,
            known=known,
        )
    helped = await times_helped(session, volunteer)
    if helped < role.helped_needed:
        raise VolunteerError(
            "%(name)s has helped %(helped)s times; %(role)s needs %(needed)s (%(criteria)s)",
            name=volunteer.name,
            helped=helped,
            role=role.name,
            needed=role.helped_needed,
            criteria=role.criteria,
        )
    granted = await session.scalar(
        select(VolunteerBadge).where(
            VolunteerBadge.volunteer_id == volunteer.id, VolunteerBadge.role_id == role.id
        )
    )
    if granted is not None:
        raise VolunteerError("%(name)s is already %(role)s", name=volunteer.name, role=role.name)
    session.add(
        VolunteerBadge(group_id=group.id, volunteer_id=volunteer.id, role_id=role.id, granted_by=by)
    )
    await session.flush()
    return volunteer, role


async def badges(session: AsyncSession, group: Group) -> dict[int, list[str]]:
    """Volunteer id → the names of the roles granted to them, by name."""
    rows = await session.execute(
        select(VolunteerBadge.volunteer_id, VolunteerRole.name)
        .join(VolunteerRole, VolunteerRole.id == VolunteerBadge.role_id)
        .where(VolunteerBadge.group_id == group.id)
        .order_by(VolunteerRole.name)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for volunteer_id, role in rows:
        found[volunteer_id].append(role)
    return dict(found)


@dataclass(frozen=True)
class Listed:
    """A volunteer as the public page shows them: name, skills and badges, nothing else."""

    name: str
    skills: tuple[str, ...]
    badges: tuple[str, ...]


async def listed_volunteers(session: AsyncSession, group: Group) -> list[Listed]:
    """The volunteers who agreed to be listed, by name: only what the public may see."""
    rows = await session.scalars(
        select(Volunteer).where(Volunteer.group_id == group.id, Volunteer.listed.is_(True))
    )
    granted = await badges(session, group)
    return [
        Listed(row.name, tuple(row.skills), tuple(granted.get(row.id, ())))
        for row in sorted(rows, key=lambda row: row.key)
    ]
