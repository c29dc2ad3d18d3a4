"""The group inboxes and the shared inbox: rate-limit, read the capped body, run the pipeline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.httpsig import SignatureError, signature_key_id
from federation.origin import OriginError, host_of
from inbox.receive import TOO_LARGE, BodyTooLarge, Outcome, check_content_length, read_capped
from inbox.receive import receive as run_pipeline
from web.ratelimit import limit
from web.signed_fetch import request_url
from web.state import app_context, app_inbox_limiter


def _answer(outcome: Outcome) -> Response:
    return Response(
        outcome.reason + "\n",
        status_code=outcome.status,
        media_type="text/plain",
        headers=outcome.headers,
    )


def limit_key(request: Request) -> str:
    """Whom the rate limit counts: the host of the claimed ``keyId`` (checked later by the
    pipeline), else the client address for requests without a usable signature."""
    try:
        return host_of(signature_key_id(request.method, request.headers))
    except (SignatureError, OriginError):
        return f"unsigned {request.client.host if request.client else '?'}"


async def _receive(request: Request, group_uid: str | None) -> Response:
    if (too_many := limit(app_inbox_limiter(request), limit_key(request))) is not None:
        return too_many
    refused = check_content_length(request.headers.get("content-length"))
    if refused is not None:
        return _answer(refused)
    try:
        body = await read_capped(request.stream())
    except BodyTooLarge:
        return _answer(TOO_LARGE)
    outcome = await run_pipeline(
        app_context(request),
        method=request.method,
        url=request_url(request),
        headers=request.headers,
        body=body,
        group_uid=group_uid,
    )
    return _answer(outcome)


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
