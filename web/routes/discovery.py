"""WebFinger, host-meta and NodeInfo."""

from __future__ import annotations

from importlib.metadata import version

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actors.groups import find_group, find_group_by_uid, list_groups
from actors.models import Group
from federation.discovery import (
    NODEINFO_SCHEMAS,
    NodeUsage,
    ResourceError,
    host_meta_json,
    host_meta_xrd,
    nodeinfo_document,
    nodeinfo_links,
    parse_resource,
    server_actor_document,
    webfinger_document,
)
from posts.models import Post
from web.cache import documents
from web.negotiation import error_response, jrd_bytes_response, jrd_response, json_bytes
from web.state import app_context, app_settings

CORS = {"Access-Control-Allow-Origin": "*"}


async def _group_for_resource(request: Request, resource: str) -> Group | None:
    ctx = app_context(request)
    parsed = parse_resource(resource)
    async with ctx.sessions() as session:
        if parsed.url is not None:
            prefix = ctx.urls.group("")
            if not parsed.url.startswith(prefix):
                return None
            return await find_group_by_uid(session, parsed.url.removeprefix(prefix))
        if parsed.host != ctx.host.lower():
            return None
        return await find_group(session, parsed.user or "")


async def webfinger(request: Request) -> Response:
    """Resolve ``acct:name@host`` or a group URL to the group's actor, and the instance's
    own origin to its instance actor (FEP-d556, how allies find where to send a Flag)."""
    resource = request.query_params.get("resource")
    if not resource:
        return error_response(400, "missing resource parameter", CORS)
    cache = documents(request)
    body: bytes | None = cache.get(("webfinger", resource))
    if body is not None:
        return jrd_bytes_response(body)
    ctx = app_context(request)
    if resource.rstrip("/") == ctx.urls.base:
        origin = ctx.urls.base + "/"
        return jrd_response(server_actor_document(origin, ctx.urls.instance_actor))
    try:
        group = await _group_for_resource(request, resource)
    except ResourceError as exc:
        return error_response(400, str(exc), CORS)
    if group is None:
        return error_response(404, "no such group here", CORS)
    actor_id = ctx.urls.group(group.uid)
    subject = f"acct:{group.name}@{ctx.host}"
    body = json_bytes(
        webfinger_document(subject, actor_id, actor_id, ctx.urls.authorize_interaction)
    )
    cache.put(("webfinger", resource), body)
    return jrd_bytes_response(body)


async def host_meta(request: Request) -> Response:
    """host-meta as XRD."""
    xrd = host_meta_xrd(app_context(request).urls.base)
    return Response(xrd, media_type="application/xrd+xml", headers=CORS)


async def host_meta_json_route(request: Request) -> Response:
    """host-meta as JSON."""
    return jrd_response(host_meta_json(app_context(request).urls.base))


async def nodeinfo_discovery(request: Request) -> Response:
    """Where the NodeInfo documents are."""
    return JSONResponse(nodeinfo_links(app_context(request).urls.base), headers=CORS)


async def nodeinfo(request: Request) -> Response:
    """NodeInfo 2.0 / 2.1: software, protocols and usage counts."""
    ver = request.path_params["version"]
    if ver not in NODEINFO_SCHEMAS:
        return error_response(404, "unknown NodeInfo version", CORS)
    ctx = app_context(request)
    async with ctx.sessions() as session:
        groups = await list_groups(session)
        posts = await session.execute(
            select(func.count()).select_from(Post).where(Post.deleted_at.is_(None))
        )
        local_posts = int(posts.scalar_one())
    doc = nodeinfo_document(
        ver,
        software_version=version("mutuals"),
        usage=NodeUsage(groups=len(groups), active_month=len(groups), local_posts=local_posts),
        node_name=app_settings(request).instance_name,
        group_names=[g.name for g in groups],
    )
    profile = f'application/json; profile="{NODEINFO_SCHEMAS[ver]}#"'
    return JSONResponse(doc, media_type=profile, headers=CORS)


routes = [
    Route("/.well-known/webfinger", webfinger),
    Route("/.well-known/host-meta", host_meta),
    Route("/.well-known/host-meta.json", host_meta_json_route),
    Route("/.well-known/nodeinfo", nodeinfo_discovery),
    Route("/nodeinfo/{version}", nodeinfo),
]
