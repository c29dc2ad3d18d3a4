"""``/interact``: follow a group, or answer a post, from one's own fediverse server.

The visitor types their handle; their server's WebFinger answer says where to send them
(``actors.interact``), and they are sent there with our id filled in. Nothing is
stored, so nothing is rate-limited here; the lookup itself is capped in size and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from actors.instance import Context
from actors.interact import remote_interaction
from actors.models import Group
from documents.errors import UserError
from federation.fetch_errors import BadStatus, FetchError
from federation.intents import (
    Action,
    BadHandle,
    Elsewhere,
    NoTemplate,
    NotSecure,
    parse_handle,
)
from posts.lookup import local_post
from posts.models import Post
from posts.notes import is_public
from web.i18n import N_
from web.pages import render_page
from web.state import app_context

NOT_OURS = N_(
    "This address is not a group or a public post of this server: there is nothing here "
    "to follow or answer."
)
BAD_HANDLE = N_("Write your handle as @name@your.server, for example @ana@mastodon.social.")
UNKNOWN = N_("%(server)s does not know %(handle)s: check the spelling.")
UNREACHABLE = N_(
    "%(server)s could not be reached, or did not answer as a fediverse server does. "
    "Check your handle, or try again later."
)
NO_TEMPLATE = N_(
    "%(server)s does not say where to send you for this. Search for the address below in "
    "your app instead."
)
NOT_SECURE = N_("%(server)s answered with an address that is not secure (https).")
ELSEWHERE = N_("%(server)s answered with an address on another site (%(site)s).")


@dataclass(frozen=True)
class Target:
    """One of our ids a visitor may act on: a group to follow, a post or poll to answer."""

    uri: str
    action: Action
    group: Group
    post: Post | None = None


async def find_target(session: AsyncSession, ctx: Context, uri: str) -> Target | None:
    """What ``uri`` is, if it is one of our groups or public posts."""
    if (uid := ctx.urls.group_uid(uri)) is not None:
        group = await find_group_by_uid(session, uid)
        return None if group is None else Target(uri, Action.FOLLOW, group)
    post = await local_post(session, ctx, uri)
    if post is None or not is_public(post.visibility):
        return None
    group = await session.get(Group, post.group_id)
    assert group is not None  # a post belongs to its group
    action = Action.VOTE if post.type == "Question" else Action.REPLY
    return Target(uri, action, group, post)


async def _destination(ctx: Context, typed: str, target: Target) -> str:
    """Where the visitor's server wants them; a `UserError` saying why not."""
    try:
        handle = parse_handle(typed)
    except BadHandle as exc:
        raise UserError(BAD_HANDLE) from exc
    values = {"server": handle.host, "handle": str(handle)}
    try:
        return await remote_interaction(ctx, handle, target.action, target.uri)
    except BadStatus as exc:
        if exc.status_code in (404, 410):
            raise UserError(UNKNOWN, **values) from exc
        raise UserError(UNREACHABLE, **values) from exc
    except FetchError as exc:
        raise UserError(UNREACHABLE, **values) from exc
    except NoTemplate as exc:
        raise UserError(NO_TEMPLATE, **values) from exc
    except NotSecure as exc:
        raise UserError(NOT_SECURE, **values) from exc
    except Elsewhere as exc:
        raise UserError(ELSEWHERE, site=exc.host, **values) from exc


def _field(fields: ImmutableMultiDict[str, Any], name: str) -> str:
    """A text field of the query or of the posted form ("" when absent or a file)."""
    value = fields.get(name)
    return value if isinstance(value, str) else ""


async def interact(request: Request) -> Response:
    """``GET ?uri=``: the form; with ``handle`` too (``GET`` or ``POST``): off to their server."""
    fields = await request.form() if request.method == "POST" else request.query_params
    uri = _field(fields, "uri")
    ctx = app_context(request)
    async with ctx.sessions() as session:
        target = await find_target(session, ctx, uri.strip())
    if target is None:
        return render_page(request, "interact.html", 400, target=None, error=UserError(NOT_OURS))
    if "handle" not in fields:
        return render_page(request, "interact.html", target=target)
    typed = _field(fields, "handle")
    try:
        destination = await _destination(ctx, typed, target)
    except UserError as error:
        return render_page(
            request, "interact.html", 400, target=target, error=error, handle=typed.strip()
        )
    return RedirectResponse(destination, status_code=303)


routes = [Route("/interact", interact, methods=["GET", "POST"])]
