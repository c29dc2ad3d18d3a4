"""The group's call for volunteers, and the replies that answer it.

The call is a public Note. Anyone on the fediverse replies to it with what they can do:
hashtags (``#cooking``) or the words after "skills:" ("skills: first aid, driving").
The reply registers its author (or adds to their skills), and the group answers in a
direct message saying what it recorded and how to be listed: a reply saying
"list me" puts them on the volunteers page (the reply's signature proves the account;
once an organizer took them off, it is a request the organizers approve), "unlist me"
takes them off. The answer
never repeats an availability or an area: those stay with the organizers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Group
from actors.remote import get_actor
from federation.content import MAX_TAGS, plain_text
from federation.markdown import is_hashtag_name
from federation.vocab import has_type
from posts.models import Post
from posts.notes import publish_note, publish_reply
from sharing.volunteer_models import Volunteer, VolunteerCall
from sharing.volunteers import by_key, merge_skills, register, volunteer_key

log = logging.getLogger("mutuals.sharing")

DEFAULT_CALL = (
    "We are looking for volunteers! Reply to this post with what you can do, as hashtags "
    '(#cooking #driving) or after "skills:" (skills: first aid, translation). '
    'Add "list me" if you want your name and skills on our volunteers page.'
)
HASHTAG = re.compile(r"(?<![\w/])#(\w+)")
# The list after "skills:" ends with the sentence, the line, or a hashtag or mention.
SKILLS_LINE = re.compile(r"\bskills?\s*:\s*([^\n.!?#@]+)", re.IGNORECASE)
UNLIST = re.compile(r"\bunlist me\b", re.IGNORECASE)
LIST = re.compile(r"(?<!un)\blist me\b", re.IGNORECASE)


async def post_call(
    session: AsyncSession, ctx: Context, group: Group, text: str | None = None
) -> Post:
    """Publish the group's call for volunteers (a public Note); replies to it register."""
    post = await publish_note(session, ctx, group, text or DEFAULT_CALL)
    session.add(VolunteerCall(group_id=group.id, post_id=post.id))
    await session.flush()
    return post


def _tag_names(note: dict[str, Any]) -> list[str]:
    tags = note.get("tag")
    entries = tags if isinstance(tags, list) else [tags]
    return [
        str(tag["name"]).lstrip("#")
        for tag in entries
        if isinstance(tag, dict) and has_type(tag, "Hashtag") and isinstance(tag.get("name"), str)
    ]


def skills_in_reply(note: dict[str, Any]) -> list[str]:
    """The skills a reply names: its hashtags, and the words after "skills:" (each item,
    its spaces as ``_``). What cannot be a hashtag is left out; at most `MAX_TAGS`."""
    text = plain_text(str(note.get("content") or ""))
    found = [*_tag_names(note), *HASHTAG.findall(text)]
    for line in SKILLS_LINE.findall(text):
        for item in re.split(r",|;|\band\b", line):
            found.append("_".join(item.strip(" .!#").split()))
    valid = [name for name in found if is_hashtag_name(name)]
    return list(dict.fromkeys(valid))[:MAX_TAGS]


def _listing(text: str) -> bool | None:
    if UNLIST.search(text):
        return False
    return True if LIST.search(text) else None


def _set_listing(row: Volunteer, listing: bool) -> None:
    if listing and row.unlisted_by is not None:
        row.asked_to_be_listed = True
    else:
        row.listed, row.asked_to_be_listed = listing, False


def _answer(row: Volunteer, page: str) -> str:
    skills = " ".join(f"#{name}" for name in row.skills)
    if row.asked_to_be_listed:
        return (
            f"Thank you! We recorded your skills: {skills}. Our organizers will decide "
            f"whether to list you on our volunteers page ({page})."
        )
    if row.listed:
        return (
            f"Thank you! We recorded your skills: {skills}. You are listed on our volunteers "
            f'page ({page}); reply "unlist me" to leave it.'
        )
    return (
        f"Thank you! We recorded your skills: {skills}. Only our organizers see them. "
        f'To be listed on our volunteers page ({page}), reply "list me".'
    )


async def register_reply(
    session: AsyncSession,
    ctx: Context,
    call: VolunteerCall,
    actor_ap_id: str,
    note: dict[str, Any],
) -> Volunteer | None:
    """Register (or update) the author of a reply to ``call`` and answer them in a direct
    message; a reply seen before, or naming no skill of a newcomer, records nothing."""
    group = await session.get(Group, call.group_id)
    assert group is not None  # a call belongs to its group
    author = await get_actor(ctx, session, actor_ap_id)
    name = f"@{author.handle}" if author.preferred_username else author.ap_id
    skills = skills_in_reply(note)
    listing = _listing(plain_text(str(note.get("content") or "")))
    volunteer = await by_key(session, group, volunteer_key(name))
    if volunteer is not None and volunteer.reply_ap_id == note["id"]:
        return volunteer
    page = f"{ctx.urls.group(group.uid)}/volunteers"
    if volunteer is None and not skills:
        log.info("reply %s to a call names no skill: nothing recorded", note["id"])
        text = (
            "Thank you! We could not find your skills in your reply: reply again with "
            'hashtags (#cooking) or after "skills:" (skills: first aid, driving).'
        )
        await publish_reply(
            session, ctx, group, text, to=author, in_reply_to=note["id"], direct=True
        )
        return None
    if volunteer is None:
        volunteer = await register(
            session, group, name, skills=skills, listed=bool(listing), source="reply",
            actor_ap_id=author.ap_id,
        )  # fmt: skip
    else:
        merge_skills(volunteer, skills)
        volunteer.actor_ap_id = author.ap_id
        if listing is not None:
            _set_listing(volunteer, listing)
    volunteer.reply_ap_id = note["id"]
    await publish_reply(
        session, ctx, group, _answer(volunteer, page), to=author, in_reply_to=note["id"],
        direct=True,
    )  # fmt: skip
    return volunteer
