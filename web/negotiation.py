"""Content negotiation between ActivityStreams JSON and HTML pages."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from federation.vocab import AP_CONTENT_TYPE, LD_CONTENT_TYPE, accepts_activity_json


def header(request: Request, name: bytes) -> str | None:
    """The request's header ``name`` (lower case), or None.

    Read from the ASGI scope: ``request.headers.get`` raises and catches a KeyError for
    each missing header, which costs more than a cached page's whole answer.
    """
    for found, value in request.scope["headers"]:
        if found == name:
            return str(value.decode("latin-1"))
    return None


def wants_activity_json(request: Request) -> bool:
    """True when the client asked for ActivityStreams JSON rather than a page."""
    return accepts_activity_json(request.headers.get("accept", ""))


def json_bytes(doc: Any) -> bytes:
    """Compact UTF-8 JSON, as sent over the wire."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def activity_response(request: Request, doc: Any, status_code: int = 200) -> Response:
    """JSON with the content type the client asked for (ld+json or activity+json)."""
    return activity_bytes_response(request, json_bytes(doc), status_code)


def activity_bytes_response(request: Request, body: bytes, status_code: int = 200) -> Response:
    """Already serialized JSON, as `activity_response` sends it."""
    accept = request.headers.get("accept", "")
    media_type = (
        LD_CONTENT_TYPE
        if "application/ld+json" in accept and "application/activity+json" not in accept
        else AP_CONTENT_TYPE
    )
    return Response(
        body, status_code=status_code, media_type=media_type, headers={"Vary": "Accept"}
    )


def jrd_response(doc: Any, status_code: int = 200) -> Response:
    """A JRD (WebFinger, host-meta.json) readable from any origin."""
    return jrd_bytes_response(json_bytes(doc), status_code)


def jrd_bytes_response(body: bytes, status_code: int = 200) -> Response:
    """An already serialized JRD, as `jrd_response` sends it."""
    return Response(
        body,
        status_code=status_code,
        media_type="application/jrd+json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


def error_response(
    status_code: int, reason: str, headers: dict[str, str] | None = None
) -> Response:
    """A short plain-text error a peer or person can read."""
    return Response(
        reason + "\n", status_code=status_code, media_type="text/plain", headers=headers
    )
