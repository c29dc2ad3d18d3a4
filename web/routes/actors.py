"""Group actors, the instance actor, and the front page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import roles
from actors.directory import search_groups
from actors.documents import group_actor, instance_actor
from actors.groups import find_group_by_uid
from actors.icons import find_icon
from networks.listing import member_cards
from posts.timeline import public_posts
from sharing.distribution import criteria_html
from sharing.showcase import open_offers, upcoming_events
from web.cache import documents
from web.negotiation import (
    activity_bytes_response,
    activity_response,
    error_response,
    json_bytes,
    wants_activity_json,
)
from web.pages import cached_page, render_page
from web.paging import bad_page, page_number
from web.signed_fetch import require_signature
from web.state import app_context


@cached_page
async def index(request: Request) -> Response:
    """The front page: the groups hosted here, or those matching the search ``?q=``."""
    query = request.query_params.get("q", "").strip()
    async with app_context(request).sessions() as session:
        groups = await search_groups(session, query)
    return render_page(request, "index.html", groups=groups, query=query)


async def _actor_json(request: Request, uid: str) -> Response:
    # Peers fetch actors constantly: the serialized document is cached (web.cache).
    cache = documents(request)
    body: bytes | None = cache.get(("actor", uid))
    if body is None:
        ctx = app_context(request)
        async with ctx.sessions() as session:
            found = await find_group_by_uid(session, uid)
            if found is None:
                return error_response(404, "no such group")
            liaisons = await roles.liaisons(session, found)
        body = json_bytes(group_actor(found, ctx.urls, ctx.host, liaisons))
        cache.put(("actor", uid), body)
    if (refusal := await require_signature(request)) is not None:
        return refusal
    return activity_bytes_response(request, body)


async def group(request: Request) -> Response:
    """A group as an ActivityPub actor, or its page for browsers (``?page=N`` of its posts)."""
    if wants_activity_json(request):
        return await _actor_json(request, request.path_params["uid"])
    return await _group_page(request)


@cached_page
async def _group_page(request: Request) -> Response:
    number = page_number(request)
    if number is None:
        return bad_page(request)
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await find_group_by_uid(session, request.path_params["uid"])
        if found is None:
            return error_response(404, "no such group")
        if found.moved_to:
            # A group that moved keeps its actor (with ``movedTo``) but sends people on.
            return RedirectResponse(found.moved_to, status_code=302)
        return render_page(
            request,
            "group.html",
            group=found,
            actor_id=ctx.urls.group(found.uid),
            posts=await public_posts(session, found, number),
            events=await upcoming_events(session, found),
            offers=await open_offers(session, found),
            liaisons=await roles.liaisons(session, found),
            members=await member_cards(session, found),
            criteria=await criteria_html(session, ctx, found),
        )


async def instance(request: Request) -> Response:
    """The instance actor: always public, so peers can verify our signed GETs."""
    ctx = app_context(request)
    return activity_response(request, instance_actor(ctx.urls, ctx.host, ctx.instance_public_pem))


async def icon(request: Request) -> Response:
    """A group's uploaded avatar, for anyone: its actor document's ``icon`` points here."""
    async with app_context(request).sessions() as session:
        found = await find_icon(session, request.path_params["uid"])
    if found is None:
        return error_response(404, "this group has no uploaded icon")
    etag = f'"{found.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=86400",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.media_type, headers=headers)


routes = [
    Route("/", index),
    Route("/actor", instance),
    Route("/groups/{uid}", group),
    Route("/groups/{uid}/icon", icon),
]
