"""The group inboxes and the shared inbox: read the capped body, run the receive pipeline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from inbox.receive import TOO_LARGE, BodyTooLarge, Outcome, check_content_length, read_capped
from inbox.receive import receive as run_pipeline
from web.signed_fetch import request_url
from web.state import app_context


def _answer(outcome: Outcome) -> Response:
    return Response(
        outcome.reason + "\n",
        status_code=outcome.status,
        media_type="text/plain",
        headers=outcome.headers,
    )


async def _receive(request: Request, group_uid: str | None) -> Response:
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
