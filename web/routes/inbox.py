"""The group inboxes and the shared inbox: rate-limit, read the capped body, run the pipeline.

The headers are normalised (``federation.httpsig.fields``) and the claimed key id read
once here; the pipeline gets both, rather than parsing them again.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.httpsig import SignatureError, signature_key_id
from federation.httpsig.fields import normalize_headers
from federation.origin import origin_or_none
from inbox.answer import Answer
from inbox.receive import TOO_LARGE, BodyTooLarge, check_content_length, read_capped
from inbox.receive import receive as run_pipeline
from web.ratelimit import limit
from web.signed_fetch import request_url
from web.state import app_context, app_inbox_limiter


def _respond(answer: Answer) -> Response:
    return Response(
        answer.reason + "\n",
        status_code=answer.status,
        media_type="text/plain",
        headers=answer.headers,
    )


def claimed_key_id(method: str, headers: Mapping[str, str]) -> str | None:
    """The ``keyId`` the request claims (checked later by the pipeline), or None."""
    try:
        return signature_key_id(method, headers)
    except SignatureError:
        return None


def limit_key(request: Request, key_id: str | None) -> str:
    """Whom the rate limit counts: the host of the claimed ``key_id`` from this client
    address (or the address alone for requests without a usable signature).

    The key id is not verified yet, so the address is part of the key: a forger naming
    a real peer's key from elsewhere drains its own allowance, not the peer's.
    """
    address = request.client.host if request.client else "?"
    # The normalised host, port dropped (a domain's peers share one allowance).
    origin = origin_or_none(key_id) if key_id is not None else None
    return f"{origin.host} from {address}" if origin else f"unsigned {address}"


async def _receive(request: Request, group_uid: str | None) -> Response:
    headers = normalize_headers(request.headers)
    key_id = claimed_key_id(request.method, headers)
    if (too_many := limit(app_inbox_limiter(request), limit_key(request, key_id))) is not None:
        return too_many
    refused = check_content_length(headers.get("content-length"))
    if refused is not None:
        return _respond(refused)
    try:
        body = await read_capped(request.stream())
    except BodyTooLarge:
        return _respond(TOO_LARGE)
    answer = await run_pipeline(
        app_context(request),
        method=request.method,
        url=request_url(request),
        headers=headers,
        body=body,
        group_uid=group_uid,
        key_id=key_id,
    )
    return _respond(answer)


async def group_inbox(request: Request) -> Response:
    """``POST /groups/{uid}/inbox``: a group's own inbox."""
    return await _receive(request, request.path_params["uid"])


async def shared_inbox(request: Request) -> Response:
    """``POST /inbox``: the instance's shared inbox."""
    return await _receive(request, None)


routes = [
    Route("/groups/{uid}/inbox", group_inbox, methods=["POST"]),
    Route("/inbox", shared_inbox, methods=["POST"]),
]
