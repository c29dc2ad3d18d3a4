"""A group's outbox, followers, following and featured collections, and a network's
members."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actors.groups import find_group_by_uid
from follows.collections import follow_collection
from networks.listing import members_collection
from posts import collections
from web.conditional import cached_response
from web.negotiation import activity_response, error_response, wants_activity_json
from web.signed_fetch import require_signature
from web.state import app_context


class BadQuery(ValueError):
    """A paging parameter that is not a positive number."""


def _number(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise BadQuery(f"{name} must be a positive number")
    return int(value)


def _browser(request: Request) -> bool:
    # Fediverse software asks for activity+json (some for plain JSON): only a
    # browser asking for HTML is sent to the profile page instead.
    return "text/html" in request.headers.get("accept", "") and not wants_activity_json(request)


async def _document(request: Request, name: str) -> dict[str, Any] | Response:
    ctx = app_context(request)
    async with ctx.sessions() as session:
        group = await find_group_by_uid(session, request.path_params["uid"])
        if group is None:
            return error_response(404, "no such group")
        if _browser(request):
            return RedirectResponse(ctx.urls.group(group.uid), status_code=303)
        if name == "featured":
            return collections.featured(ctx.urls, group)
        if name == "outbox":
            paged = request.query_params.get("page") in ("true", "1")
            max_id = _number(request, "max_id")
            return await collections.outbox(session, ctx.urls, group, page=paged, max_id=max_id)
        page = _number(request, "page")
        if name == "members":
            if not group.is_network:
                return error_response(404, "this group is not a network: it has no members")
            doc = await members_collection(session, ctx.urls, group, page=page)
        else:
            doc = await follow_collection(session, ctx.urls, group, name, page=page)
        if doc is None:
            return error_response(403, f"this group does not show its {name}")
        return doc


def _route(name: str) -> Route:
    async def build(request: Request) -> Response:
        try:
            doc = await _document(request, name)
        except BadQuery as exc:
            return error_response(400, str(exc))
        if isinstance(doc, Response):
            return doc
        return activity_response(request, doc)

    async def endpoint(request: Request) -> Response:
        if _browser(request):
            return await build(request)
        if (refusal := await require_signature(request)) is not None:
            return refusal
        if name != "outbox":
            return await build(request)
        # Outbox pages are what peers read most: cached, answered 304 when unchanged.
        accept = request.headers.get("accept", "")
        key = ("outbox", request.path_params["uid"], request.scope["query_string"], accept)
        return await cached_response(request, key, lambda: build(request))

    endpoint.__doc__ = f"The group's {name} collection (or one page of it)."
    return Route(f"/groups/{{uid}}/{name}", endpoint, methods=["GET"])


routes = [_route(name) for name in ("outbox", "followers", "following", "featured", "members")]
