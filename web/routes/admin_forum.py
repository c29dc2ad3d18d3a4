"""The moderators' pages about what members send a group: posts waiting, and messages.

Deciding on a post calls ``forum.submissions`` (as ``mutuals submissions`` does);
reading messages calls ``forum.messages.read_messages``, which marks them read, and
answering one calls ``reply_to`` (as ``mutuals reply`` does). Every decision and answer
is recorded in the group's log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from accounts import audit
from actors.models import RemoteActor
from documents.errors import UserError
from forum import submissions as queue
from forum.messages import read_messages, reply_to
from forum.models import Message
from web.forms import text_field
from web.guard import Page, Visitor
from web.i18n import N_
from web.pages import render_form
from web.routes.admin_moderation import done, notice
from web.state import app_context

SUBMISSION_NOTICES = {
    "approve": N_("Post approved: it is announced to the group's followers."),
    "reject": N_("Post refused: it stays listed for the organizers, never announced."),
    "remove": N_("Post taken out of the group: its boost is undone."),
}
"""What ``?done=KEY`` says on the submissions page."""

MESSAGE_NOTICES = {"reply": N_("Your answer was sent as the group.")}
"""What ``?done=KEY`` says on the messages page."""

SHOWN_WORDS = (
    *(N_("post"), N_("reply"), N_("direct")),
    *(N_("public"), N_("unlisted"), N_("followers")),
    *(N_("announced"), N_("pending"), N_("kept"), N_("rejected"), N_("removed"), N_("deleted")),
)
"""A message's kind, visibility and status, as the pages show them (``_(word)``)."""

POLICY_REASONS = (
    N_("not public: a message for the organizers"),
    N_("a reply: this group announces only top-level posts"),
    N_("this group announces only what its organizers publish"),
    N_("the author does not follow the group"),
    N_("the author's domain is silenced"),
    N_("waiting for a moderator's approval"),
)
"""The fixed reasons ``forum.policy.decide`` gives, for the catalogs: the pages show a
message's reason with ``translate``, so these are translated (the others stay English)."""


async def authors_of(session: AsyncSession, messages: Sequence[Message]) -> dict[str, RemoteActor]:
    """The stored accounts that sent ``messages``, by actor id."""
    ids = {message.actor_ap_id for message in messages}
    rows = await session.scalars(select(RemoteActor).where(RemoteActor.ap_id.in_(ids)))
    return {actor.ap_id: actor for actor in rows}


async def _submissions_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    async with app_context(request).sessions() as session:
        waiting = await queue.waiting(session, group)
        authors = await authors_of(session, waiting)
    return render_form(
        request,
        "admin/submissions.html",
        status,
        visitor=visitor,
        waiting=waiting,
        authors=authors,
        notice=notice(request, SUBMISSION_NOTICES),
        **values,
    )


async def submissions(request: Request, visitor: Visitor) -> Response:
    """Members' posts waiting for a moderator: approve, or reject with a reason; taking an
    announced post back out."""
    if request.method == "GET":
        return await _submissions_page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    action, post = text_field(form, "action"), text_field(form, "post").strip()
    reason = text_field(form, "reason").strip() or None
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            if action == "approve":
                await queue.approve(session, ctx, group, post)
            elif action == "reject":
                await queue.reject(session, ctx, group, post, reason)
            elif action == "remove":
                await queue.remove(session, ctx, group, post, reason)
            else:
                raise UserError("unknown action")
            detail = post + (f" ({reason})" if reason else "")
            await audit.record(session, visitor.account.username, f"{action} post", group, detail)
            await session.commit()
    except UserError as error:
        return await _submissions_page(
            request, visitor, 400, error=error, error_at=(action, post), reason=reason or ""
        )
    return done(request, action)


async def _messages_page(
    request: Request, visitor: Visitor, status: int = 200, **values: object
) -> Response:
    group = visitor.group
    assert group is not None
    async with app_context(request).sessions() as session:
        found = await read_messages(session, group)
        authors = await authors_of(session, found)
        await session.commit()  # they are read now
    return render_form(
        request,
        "admin/messages.html",
        status,
        visitor=visitor,
        messages=found,
        authors=authors,
        notice=notice(request, MESSAGE_NOTICES),
        **values,
    )


async def messages(request: Request, visitor: Visitor) -> Response:
    """What members sent the group, newest last (reading marks them read); answering one
    as the group, in public or to its author alone."""
    if request.method == "GET":
        return await _messages_page(request, visitor)
    group = visitor.group
    assert group is not None
    form = await request.form()
    post, text = text_field(form, "post").strip(), text_field(form, "text")
    direct = text_field(form, "direct") == "on"
    ctx = app_context(request)
    try:
        if not text.strip():
            raise UserError("the answer is empty: write something to send")
        async with ctx.sessions() as session:
            await reply_to(session, ctx, group, post, text, direct=direct)
            detail = post + (" (direct)" if direct else "")
            await audit.record(session, visitor.account.username, "reply", group, detail)
            await session.commit()
    except UserError as error:
        return await _messages_page(
            request, visitor, 400, error=error, error_at=post, answer=text, direct=direct
        )
    return done(request, "reply")


PAGES: list[tuple[str, Page, str, list[str]]] = [
    ("/admin/groups/{name}/submissions", submissions, "moderate", ["GET", "POST"]),
    ("/admin/groups/{name}/messages", messages, "moderate", ["GET", "POST"]),
]
"""The pages about members' posts and messages: path, handler, permission, methods."""
