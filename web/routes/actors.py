"""Group actors, the instance actor, and the front page."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts import roles
from actors.documents import group_actor, instance_actor
from actors.groups import find_group_by_uid, list_groups
from actors.icons import find_icon
from posts.models import Post
from web.cache import documents
from web.negotiation import (
    activity_bytes_response,
    activity_response,
    error_response,
    json_bytes,
    wants_activity_json,
)
from web.pages import render_page
from web.signed_fetch import require_signature
from web.state import app_context


async def index(request: Request) -> Response:
    """The front page: the groups hosted here."""
    ctx = app_context(request)
    async with ctx.sessions() as session:
        groups = await list_groups(session)
    return render_page(request, "index.html", groups=groups)


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
    """A group as an ActivityPub actor, or its profile page for browsers."""
    if wants_activity_json(request):
        return await _actor_json(request, request.path_params["uid"])
    ctx = app_context(request)
    async with ctx.sessions() as session:
        found = await find_group_by_uid(session, request.path_params["uid"])
        if found is None:
            return error_response(404, "no such group")
        posts = await session.execute(
            select(Post)
            .where(
                Post.group_id == found.id, Post.deleted_at.is_(None), Post.visibility == "public"
            )
            .order_by(Post.id.desc())
            .limit(20)
        )
        return render_page(
            request,
            "group.html",
            group=found,
            actor_id=ctx.urls.group(found.uid),
            posts=posts.scalars().all(),
            liaisons=await roles.liaisons(session, found),
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
