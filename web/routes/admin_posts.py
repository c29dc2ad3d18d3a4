"""A group's recent posts, offers and needs, upcoming events and polls, with what the
commands can do to them: delete a post (``mutuals delete``), close an offer or need
(``offer close … --fulfilled/--withdrawn``), cancel an event (``event cancel``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from accounts import audit
from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from documents.offer import OfferState
from posts import notes
from posts.models import Post
from sharing import events, offers, polls
from sharing.board import plain
from sharing.models import Event, Offer, Poll
from sharing.publishing import live_rows
from store.db import utcnow
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.state import app_context

LIMIT = 30
"""How many of each kind the page lists."""

CLOSING: dict[str, OfferState] = {"fulfilled": "fulfilled", "withdrawn": "withdrawn"}
"""The actions that close an offer or need, and the state each leaves it in."""

STATES = (N_("open"), N_("fulfilled"), N_("partly"), N_("unmet"), N_("withdrawn"), N_("expired"))
"""An offer's or need's state, as the posts page shows it (``_(state)``)."""


@dataclass(frozen=True)
class Listed:
    """What the posts page shows: each kind, newest (or soonest) first."""

    notes: list[Post]
    offers: list[tuple[Offer, Post]]
    events: list[tuple[Event, Post]]
    polls: list[tuple[polls.Results, Post]]


async def _notes(session: AsyncSession, group: Group) -> list[Post]:
    """The group's live status updates (not its offers, which are Notes too)."""
    is_offer = exists().where(Offer.post_id == Post.id)
    found = await session.scalars(
        select(Post)
        .where(Post.group_id == group.id, Post.deleted_at.is_(None), Post.type == "Note")
        .where(~is_offer)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(LIMIT)
    )
    return list(found)


async def listed(session: AsyncSession, group: Group, now: dt.datetime) -> Listed:
    """The group's recent posts, offers and needs, polls, and events not yet over."""
    found_offers = await session.execute(
        live_rows(Offer).where(Offer.group_id == group.id).order_by(Offer.id.desc()).limit(LIMIT)
    )
    not_over = or_(Event.rrule.is_not(None), func.coalesce(Event.ends_at, Event.starts_at) >= now)
    found_events = await session.execute(
        live_rows(Event)
        .where(Event.group_id == group.id, not_over)
        .order_by(Event.starts_at)
        .limit(LIMIT)
    )
    found_polls = await session.execute(
        live_rows(Poll).where(Poll.group_id == group.id).order_by(Poll.id.desc()).limit(LIMIT)
    )
    return Listed(
        notes=await _notes(session, group),
        offers=[(row, post) for row, post, _group in found_offers.all()],
        events=[(row, post) for row, post, _group in found_events.all()],
        polls=[(await polls.results(session, row, now), post) for row, post, _g in found_polls],
    )


async def _act(session: AsyncSession, ctx: Context, group: Group, action: str, uid: str) -> str:
    """Do ``action`` to post ``uid`` with the command's package function; the log's word."""
    if action == "delete":
        await notes.delete_note(session, ctx, group, uid)
        return "delete post"
    if action in CLOSING:
        await offers.close_offer(session, ctx, group, uid, CLOSING[action])
        return f"close offer ({action})"
    if action == "cancel":
        await events.change_event(session, ctx, group, uid, cancelled=True)
        return "cancel event"
    raise UserError("unknown action %(action)r", action=action)


def summary(post: Post) -> str:
    """A post's text as one plain line, for the list."""
    return plain(str(post.document.get("content", "")))


async def _page(request: Request, visitor: Visitor, status: int = 200, **values: Any) -> Response:
    group = visitor.group
    assert group is not None
    async with app_context(request).sessions() as session:
        found = await listed(session, group, utcnow())
    sent = request.query_params.get("sent", "")
    return render_form(
        request,
        "admin/posts.html",
        status,
        visitor=visitor,
        listed=found,
        sent=sent,
        summary=summary,
        **values,
    )


async def posts_page(request: Request, visitor: Visitor) -> Response:
    """The group's posts and shared things; delete, close or cancel one."""
    if request.method == "GET":
        return await _page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    action, uid = text_field(form, "action"), text_field(form, "post")
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            logged = await _act(session, ctx, group, action, uid)
            await audit.record(session, visitor.account.username, logged, group, uid)
            await session.commit()
    except UserError as error:
        return await _page(request, visitor, 400, error=error)
    return RedirectResponse(request.url.path, status_code=303)


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/posts", posts_page, "publish", ["GET", "POST"]),
]
"""The posts page: path, handler, permission, methods (added to ``admin.PAGES``)."""
