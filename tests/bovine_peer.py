"""A third-party fediverse peer built on the ``bovine`` library, served on loopback.

It publishes a ``Person`` actor with its own RSA key, signs what it sends with
bovine's signer, and verifies what it receives with bovine's signature checker,
fetching our keys over real HTTP. Nothing of Mutuals' own code is used here.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import uvicorn
from bovine.clients import lookup_uri_with_webfinger
from bovine.clients.signed_http import legacy_digest_method
from bovine.clients.signed_http_methods import signed_get, signed_post
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.signature_checker import SignatureChecker
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

AP = "application/activity+json"


@dataclass
class Received:
    """An activity POSTed to the peer's inbox, with who bovine says signed it."""

    activity: dict[str, Any]
    signer: str | None


@dataclass
class BovinePeer:
    """The peer: its actor URL, key, inbox log, and an aiohttp session to act with."""

    base_url: str
    session: aiohttp.ClientSession
    public_pem: str
    private_pem: str
    inbox: list[Received] = field(default_factory=list)
    server: uvicorn.Server | None = None
    task: asyncio.Task[None] | None = None

    @property
    def actor_id(self) -> str:
        return f"{self.base_url}/actor"

    @property
    def secret(self) -> CryptographicSecret:
        return CryptographicSecret.from_pem(f"{self.actor_id}#main", self.private_pem)

    def actor(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": "bovine",
            "inbox": f"{self.base_url}/inbox",
            "outbox": f"{self.base_url}/outbox",
            "publicKey": {
                "id": f"{self.actor_id}#main",
                "owner": self.actor_id,
                "publicKeyPem": self.public_pem,
            },
        }

    async def _retrieve_key(self, key_id: str) -> CryptographicIdentifier | None:
        response = await self.session.get(key_id.split("#")[0], headers={"Accept": AP})
        data = await response.json(content_type=None)
        key = data.get("publicKey", data)
        if key.get("id") != key_id:
            return None
        return CryptographicIdentifier.from_public_key(key)

    async def _inbox(self, request: Request) -> Response:
        body = await request.body()
        checker = SignatureChecker(self._retrieve_key)

        async def get_body() -> bytes:
            return body

        headers = {k.lower(): v for k, v in request.headers.items()}
        signer = await checker.validate_signature("post", str(request.url), headers, get_body)
        self.inbox.append(Received(json.loads(body), signer))
        return Response(status_code=202)

    async def _actor(self, request: Request) -> Response:
        return JSONResponse(self.actor(), media_type=AP)

    async def resolve(self, handle: str, base_url: str) -> str | None:
        """Resolve ``user@host`` through WebFinger, as bovine does."""
        actor, _ = await lookup_uri_with_webfinger(self.session, f"acct:{handle}", domain=base_url)
        return actor

    async def get(self, url: str, *, signed: bool) -> aiohttp.ClientResponse:
        """GET an ActivityPub document, signed by this peer or not."""
        if signed:
            return await signed_get(self.session, self.secret, url)
        return await self.session.get(url, headers={"Accept": AP})

    async def post(self, inbox: str, activity: dict[str, Any]) -> aiohttp.ClientResponse:
        """POST a signed activity (cavage rsa-sha256 with a lowercase ``sha-256=`` digest)."""
        return await signed_post(
            self.session, self.secret, inbox, json.dumps(activity), legacy_digest_method
        )

    def new_id(self) -> str:
        return f"{self.base_url}/activities/{uuid.uuid4()}"

    async def stop(self) -> None:
        await self.session.close()
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await self.task


async def start_bovine_peer() -> BovinePeer:
    """Serve a bovine peer on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    public_pem, private_pem = generate_rsa_public_private_key()
    peer = BovinePeer(
        base_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
        session=aiohttp.ClientSession(),
        public_pem=public_pem,
        private_pem=private_pem,
    )
    app = Starlette(
        routes=[
            Route("/actor", peer._actor),
            Route("/inbox", peer._inbox, methods=["POST"]),
        ]
    )
    peer.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    peer.task = asyncio.create_task(peer.server.serve(sockets=[sock]))
    while not peer.server.started:
        await asyncio.sleep(0.01)
    return peer
