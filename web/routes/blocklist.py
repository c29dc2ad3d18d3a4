"""``/blocklist.json`` and ``/blocklist.csv``: the domain rules this instance publishes.

Only rules made here with a reason, and public (``mutuals domain block --public``, or
every one with ``MUTUALS_BLOCKLIST_PUBLIC=1``); a subscribed list's rules are its own to
publish. The CSV is Mastodon's export, the JSON the shape of Mastodon's
``/api/v1/instance/domain_blocks`` (``moderation.blocklist_format``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderation.blocklist_format import ListedRule, render_csv, render_json
from moderation.subscriptions import own_rules
from web.state import app_context, app_settings

HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}


async def _published(request: Request) -> list[ListedRule]:
    every = app_settings(request).blocklist_public
    async with app_context(request).sessions() as session:
        return await own_rules(session, published=True, every=every)


async def blocklist_json(request: Request) -> Response:
    """The published rules as JSON."""
    return JSONResponse(render_json(await _published(request)), headers=HEADERS)


async def blocklist_csv(request: Request) -> Response:
    """The published rules as Mastodon's domain-block CSV."""
    body = render_csv(await _published(request))
    headers = {**HEADERS, "Content-Disposition": 'inline; filename="domain_blocks.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


routes = [
    Route("/blocklist.json", blocklist_json, methods=["GET"]),
    Route("/blocklist.csv", blocklist_csv, methods=["GET"]),
]
