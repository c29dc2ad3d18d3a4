"""A visitor's home server on loopback, answering WebFinger the way real servers do.

``mastodon``: ``WebfingerSerializer`` (app/serializers/webfinger_serializer.rb): aliases,
profile page, ``self``, and the subscribe template ``/authorize_interaction?uri={uri}``.
``misskey``: ``WellKnownServerService`` (well-known-server.ts): no aliases, ``self`` by
user id, profile page, subscribe ``/authorize-follow?acct={uri}``. ``intents``: Mastodon's
answer plus FEP-3b86 intents (which come first). ``bare``: only ``self`` (no template).
``elsewhere``: a subscribe template on another site.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

AP = "application/activity+json"
SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
PROFILE = "http://webfinger.net/rel/profile-page"


class HomeServer:
    """``async with HomeServer("mastodon") as home:`` a server whose one account is ``me``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def handle(self) -> str:
        return f"@me@{self.host}"

    def jrd(self) -> dict[str, Any]:
        """The WebFinger answer for ``acct:me@host``."""
        base, subject = self.base, f"acct:me@{self.host}"
        if self.kind == "misskey":
            return {
                "subject": subject,
                "links": [
                    {"rel": "self", "type": AP, "href": f"{base}/users/9f3k2a1b0c"},
                    {"rel": PROFILE, "type": "text/html", "href": f"{base}/@me"},
                    {"rel": SUBSCRIBE, "template": f"{base}/authorize-follow?acct={{uri}}"},
                ],
            }
        subscribe = f"{base}/authorize_interaction?uri={{uri}}"
        if self.kind == "elsewhere":
            subscribe = "http://127.0.0.2:9/authorize_interaction?uri={uri}"
        links = [
            {"rel": PROFILE, "type": "text/html", "href": f"{base}/@me"},
            {"rel": "self", "type": AP, "href": f"{base}/users/me"},
        ]
        if self.kind != "bare":
            links.append({"rel": SUBSCRIBE, "template": subscribe})
        if self.kind == "intents":
            intents = "https://w3id.org/fep/3b86/"
            create = f"{base}/intents/create?inReplyTo={{inReplyTo}}"
            links += [
                {"rel": intents + "Follow", "template": f"{base}/intents/follow?object={{object}}"},
                # Share-only Create (no {inReplyTo}): of no use for a reply, skipped
                {"rel": intents + "Create", "template": f"{base}/share?text={{content}}"},
                {"rel": intents + "Create", "template": f"{create}&content={{content}}"},
                {"rel": intents + "Object", "template": f"{base}/intents/object?id={{object}}"},
            ]
        return {"subject": subject, "aliases": [f"{base}/@me", f"{base}/users/me"], "links": links}

    async def _webfinger(self, request: Request) -> Response:
        if request.query_params.get("resource") != f"acct:me@{self.host}":
            return Response(status_code=404)
        if self.kind == "misskey":
            return JSONResponse(self.jrd(), media_type="application/jrd+json")
        # Rails' render json: …, content_type: 'application/jrd+json' adds the charset
        return JSONResponse(
            self.jrd(), headers={"Content-Type": "application/jrd+json; charset=utf-8"}
        )

    async def _page(self, request: Request) -> Response:
        """Any other page: where a browser lands once sent here."""
        html = f"<!doctype html><html lang=en><title>Home</title><h1>{self.kind}</h1></html>"
        return HTMLResponse(html)

    async def __aenter__(self) -> HomeServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/.well-known/webfinger", self._webfinger),
                Route("/{path:path}", self._page),
            ]
        )
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        await self._task
