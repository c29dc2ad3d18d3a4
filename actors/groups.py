"""Creating, finding and changing local groups."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.keys import generate_key_pair
from actors.models import Group
from actors.urls import Urls
from documents.errors import UserError
from documents.whereabouts import language_codes, parse_coordinates, place_name, topic_keys
from federation.content import clean_name
from federation.markdown import render_markdown
from store.db import database_key, utcnow

NAME_RE = re.compile(r"[a-z0-9_]{1,30}")
MAX_FIELDS = 8


class GroupError(UserError):
    """A group operation was refused; the message says why and what to do."""


def check_name(name: str) -> str:
    """Return the name if WebFinger can carry it (``[a-z0-9_]``, 1–30 characters)."""
    if not NAME_RE.fullmatch(name):
        raise GroupError(
            "invalid group name %(name)r: use 1-30 lowercase letters, digits or '_' "
            "(it becomes the handle name@host)",
            name=name,
        )
    return name


async def find_group(session: AsyncSession, name: str) -> Group | None:
    """The group with this name, or None."""
    result = await session.execute(select(Group).where(Group.name == name))
    return result.scalar_one_or_none()


async def find_group_by_uid(session: AsyncSession, uid: str) -> Group | None:
    """The group whose URLs use this uid, or None."""
    result = await session.execute(select(Group).where(Group.uid == uid))
    return result.scalar_one_or_none()


_GROUP_IDS: dict[tuple[str, str], int] = {}
"""(database, uid) → id of the local groups looked up so far. Safe to keep: a group keeps
its uid and id for good (groups are never deleted)."""
MAX_REMEMBERED = 100_000


async def group_id_by_uid(session: AsyncSession, uid: str) -> int | None:
    """The id of the group whose URLs use ``uid``, or None; remembered once found, as
    the inbox asks on every POST to a group's inbox."""
    key = (database_key(session), uid)
    if (known := _GROUP_IDS.get(key)) is not None:
        return known
    found = await session.scalar(select(Group.id).where(Group.uid == uid))
    if found is not None and len(_GROUP_IDS) < MAX_REMEMBERED:
        _GROUP_IDS[key] = found
    return found


async def get_group(session: AsyncSession, name: str) -> Group:
    """The group with this name; GroupError when there is none."""
    group = await find_group(session, name)
    if group is None:
        raise GroupError("unknown group %(name)r; 'mutuals group list' shows the groups", name=name)
    return group


async def _name_in_use(session: AsyncSession, name: str) -> bool:
    taken = await session.execute(
        select(func.count()).select_from(Group).where(or_(Group.name == name, Group.uid == name))
    )
    return bool(taken.scalar_one())


def set_summary(group: Group, text: str, urls: Urls) -> None:
    """Set a group's summary from Markdown, keeping the sanitized HTML alongside."""
    group.summary = text
    group.summary_html = render_markdown(text, tag_url=urls.tag).html if text.strip() else ""


def set_fields(group: Group, pairs: list[tuple[str, str]]) -> None:
    """Replace the profile fields (shown as PropertyValue ``attachment``: website, schedule…)."""
    if len(pairs) > MAX_FIELDS:
        raise GroupError(
            "at most %(limit)s profile fields; got %(count)s", limit=MAX_FIELDS, count=len(pairs)
        )
    fields = []
    for raw_name, raw_value in pairs:
        name, value = clean_name(raw_name, max_length=100), clean_name(raw_value, max_length=500)
        if not name or not value:
            raise GroupError(
                "profile field %(name)r needs a name and a value: NAME=VALUE", name=raw_name
            )
        fields.append({"name": name, "value": value})
    group.fields = fields


def set_icon(group: Group, url: str) -> None:
    """Set the group's avatar to an image URL (an empty string removes it)."""
    if url and not url.startswith(("https://", "http://")):
        raise GroupError("the icon must be an http(s) URL of an image, not %(url)r", url=url)
    group.icon_url = url or None


def set_whereabouts(
    group: Group,
    *,
    place: str | None = None,
    coordinates: str | None = None,
    topics: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> None:
    """Change where the group is and what it is about (``documents.whereabouts``).

    None leaves a value as it is; an empty place or coordinates (``"LAT,LON"``) removes
    it, an empty list every topic or language. Every value is checked before any changes,
    so a refused one leaves the group as it was.
    """
    spot = parse_coordinates(coordinates) if coordinates is not None else None
    keys = topic_keys(topics) if topics is not None else None
    tags = language_codes(languages) if languages is not None else None
    if place is not None:
        group.place = place_name(place)
    if coordinates is not None:
        group.latitude, group.longitude = spot or (None, None)
    if keys is not None:
        group.topics = keys
    if tags is not None:
        group.languages = tags


POSTING_POLICIES = ("open", "approval", "organizers")
"""Whose posts a group announces: followers' (open), once approved, or nobody's."""
REPLY_POLICIES = ("top-level", "all")
"""Which posts in a group's threads it announces: top-level ones only, or replies too."""


def set_posting(group: Group, posting: str | None, announce_replies: str | None = None) -> None:
    """Change who may post through the group (``forum.policy``); None leaves a value as is."""
    if posting is not None and posting not in POSTING_POLICIES:
        raise GroupError(
            "--posting must be one of %(choices)s, not %(posting)r",
            choices=", ".join(POSTING_POLICIES),
            posting=posting,
        )
    if announce_replies is not None and announce_replies not in REPLY_POLICIES:
        raise GroupError(
            "--announce-replies must be one of %(choices)s, not %(announce_replies)r",
            choices=", ".join(REPLY_POLICIES),
            announce_replies=announce_replies,
        )
    group.posting = posting or group.posting
    group.announce_replies = announce_replies or group.announce_replies


async def create_group(
    session: AsyncSession,
    name: str,
    urls: Urls,
    *,
    display_name: str = "",
    summary: str = "",
    manual_approval: bool = False,
    posting: str = "approval",
    network: bool = False,
) -> Group:
    """Create a group with a fresh RSA key; its uid (URL key) is its first name, forever.

    With ``network``, its members are groups (``networks``)."""
    check_name(name)
    if await _name_in_use(session, name):
        raise GroupError("the name %(name)r is taken; choose another", name=name)
    private_pem, public_pem = generate_key_pair()
    group = Group(
        uid=name,
        name=name,
        display_name=clean_name(display_name, max_length=200) or name,
        manual_approval=manual_approval,
        is_network=network,
        fields=[],
        topics=[],
        languages=[],
        private_key_pem=private_pem,
        public_key_pem=public_pem,
    )
    set_summary(group, summary, urls)
    set_posting(group, posting, "top-level")
    session.add(group)
    await session.flush()
    return group


async def rename_group(session: AsyncSession, group: Group, new_name: str) -> None:
    """Change a group's handle; its actor id and URLs stay as they were."""
    check_name(new_name)
    # Taking back the group's own original name (its uid) is allowed.
    if new_name not in (group.name, group.uid) and await _name_in_use(session, new_name):
        raise GroupError("the name %(name)r is taken; choose another", name=new_name)
    group.name = new_name
    group.updated_at = utcnow()


async def list_groups(session: AsyncSession) -> Sequence[Group]:
    """Every local group, by name."""
    result = await session.execute(select(Group).order_by(Group.name))
    return result.scalars().all()
