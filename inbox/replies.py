"""Replies to what our groups shared, from any account: votes, RSVPs, responses.

Mastodon users have no RSVP or "take it up" button, so they reply. A reply to a
poll is a vote; to an event, an RSVP when it says "going"/"maybe"/"not going"
(:mod:`documents.answers`), else a response; to an offer or need, a response (and
to an open need, "I can help" makes its author a helper: :mod:`sharing.needs`); to a
call for volunteers, a registration (:mod:`sharing.volunteer_calls`).
These come from accounts our groups do not follow, so ``Create`` hands them here
before its "only from followed actors" rule. Replies to plain posts are not ours
to take: they go on through the ``Create`` handler.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from documents.answers import rsvp_answer
from documents.received import parse_time
from federation.content import plain_text, sanitize_html
from federation.vocab import get_id, has_type
from inbox.models import InboxItem
from inbox.objects import owned_by
from inbox.shape import http_url, object_of, requester
from inbox.votes import record_vote
from posts.lookup import local_post
from posts.models import Post
from sharing.models import Event, Offer, Poll, Response
from sharing.needs import reply_to_need
from sharing.rsvps import set_rsvp
from sharing.volunteer_calls import register_reply
from sharing.volunteer_models import VolunteerCall


async def _respond(session: AsyncSession, post: Post, actor: str, note: dict[str, Any]) -> None:
    known = await session.scalar(select(Response.id).where(Response.object_ap_id == note["id"]))
    if known is not None:
        return
    content = note.get("content")
    session.add(
        Response(
            post_id=post.id,
            actor_ap_id=actor,
            object_ap_id=note["id"],
            content_html=sanitize_html(content if isinstance(content, str) else ""),
            published=parse_time(note.get("published")),
        )
    )
    await session.flush()


async def _shared(session: AsyncSession, post: Post, model: type[Any]) -> Any:
    return await session.scalar(select(model).where(model.post_id == post.id))


async def handle_reply_to_local(
    session: AsyncSession, ctx: Context, item: InboxItem, activity: dict[str, Any]
) -> bool:
    """Take a ``Create`` replying to one of our polls, events, offers or needs.

    True when it was one (handled or ignored as invalid): the caller stops there.
    """
    actor = requester(activity, item.actor_ap_id)
    note = object_of(activity)
    if actor is None or not isinstance(note, dict) or not has_type(note, "Note"):
        return False
    post = await local_post(session, ctx, http_url(get_id(note.get("inReplyTo"))))
    if post is None or post.type not in ("Note", "Question", "Event"):
        return False
    if http_url(note.get("id")) is None or not owned_by(note, actor):
        return True  # a reply to our thing, but not the actor's own object: ignored
    if (poll := await _shared(session, post, Poll)) is not None:
        await record_vote(session, poll, actor, note)
    elif (event := await _shared(session, post, Event)) is not None:
        state = rsvp_answer(plain_text(str(note.get("content") or "")))
        if state is None:
            await _respond(session, post, actor, note)
        elif not event.cancelled:
            await set_rsvp(session, event, actor, state, note["id"])
    elif (offer := await _shared(session, post, Offer)) is not None:
        await _respond(session, post, actor, note)
        content = str(note.get("content") or "")
        await reply_to_need(session, ctx, offer, post, actor, note["id"], content)
    elif (call := await _shared(session, post, VolunteerCall)) is not None:
        await register_reply(session, ctx, call, actor, note)
    else:
        return False
    return True
