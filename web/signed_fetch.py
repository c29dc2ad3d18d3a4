"""Authorized fetch: with it on, GETs of actors, collections and objects must be signed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from actors.verification import verify_signed_request
from federation.httpsig import SignatureError
from web.negotiation import error_response
from web.state import app_context, app_settings


def request_url(request: Request) -> str:
    """The URL as the client addressed it: the public base URL plus path and query.

    Behind a TLS proxy the app sees http://127.0.0.1, but the signature covers
    the public URL, so the base URL setting is authoritative.
    """
    # Read from the scope as Starlette's ``request.url.path`` would give it, without
    # parsing a whole URL per request.
    path: str = request.scope["path"]
    path = path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query = bytes(request.scope.get("query_string", b"")).decode()
    return app_context(request).urls.base + path + (f"?{query}" if query else "")


async def require_signature(request: Request) -> Response | None:
    """None when the request may proceed, else a 401 saying why."""
    if not app_settings(request).authorized_fetch:
        return None
    ctx = app_context(request)
    try:
        async with ctx.sessions() as session:
            await verify_signed_request(
                ctx, session, request.method, request_url(request), request.headers, None
            )
            await session.commit()
    except SignatureError as exc:
        return error_response(401, f"signature required: {exc}")
    return None
