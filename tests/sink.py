"""A remote fediverse server played on loopback: actors, WebFinger, and inboxes that record.

Every POST is checked the way a real peer would: the signer's key is fetched over
HTTP from the ``keyId`` and the signature verified with ``federation.httpsig``.
Answers can be scripted per inbox path (status, headers, a hang until released).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actors.models import Follower, Group
from actors.remote import get_actor
from federation.httpsig import SignatureError, signature_key_id, verify_request
from federation.httpsig.verify import VerifiedSignature
from tests.instances import Instance

AP = "application/activity+json"


@dataclass
class Reply:
    """A scripted answer to one inbox POST."""

    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    wait: asyncio.Event | None = None  # answer only once this is set
    refuse: str | None = None  # "cavage"/"rfc9421": answer 401 to that scheme only


@dataclass
class Delivered:
    """One POST the sink received, and what verifying its signature said."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature: VerifiedSignature | None
    error: str | None

    @property
    def activity(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.body)
        return doc


def _public_pem() -> str:
    # The sink's actors never sign anything; they only need a key to publish.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


class Sink:
    """``async with Sink() as sink: actor = sink.add_actor("ana")`` then read ``sink.received``."""

    def __init__(self) -> None:
        self.actors: dict[str, dict[str, Any]] = {}
        self.received: list[Delivered] = []
        self.replies: dict[str, deque[Reply]] = defaultdict(deque)
        self.arrived = asyncio.Event()
        self._public_pem = _public_pem()
        self._keys: dict[str, Any] = {}
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
    def shared_inbox(self) -> str:
        return f"{self.base}/inbox"

    def add_actor(self, name: str, *, shared: bool = True) -> str:
        """Publish a Person ``name`` (with or without a shared inbox); its actor id."""
        actor_id = f"{self.base}/users/{name}"
        doc: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": name,
            "inbox": f"{actor_id}/inbox",
            "outbox": f"{actor_id}/outbox",
            "publicKey": {
                "id": f"{actor_id}#main-key",
                "owner": actor_id,
                "publicKeyPem": self._public_pem,
            },
        }
        if shared:
            doc["endpoints"] = {"sharedInbox": self.shared_inbox}
        self.actors[name] = doc
        return actor_id

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next POSTs to ``path`` with ``replies``, then 202 again."""
        self.replies[path].extend(replies)

    def at(self, path: str) -> list[Delivered]:
        """What was POSTed to ``path``."""
        return [d for d in self.received if d.path == path]

    async def _actor(self, request: Request) -> Response:
        doc = self.actors.get(request.path_params["name"])
        if doc is None:
            return Response(status_code=404)
        return JSONResponse(doc, media_type=AP)

    async def _webfinger(self, request: Request) -> Response:
        resource = request.query_params.get("resource", "")
        name = resource.removeprefix("acct:").split("@")[0]
        if name not in self.actors:
            return Response(status_code=404)
        href = self.actors[name]["id"]
        links = [{"rel": "self", "type": AP, "href": href}]
        jrd = {"subject": resource, "links": links}
        return JSONResponse(jrd, media_type="application/jrd+json")

    async def _key(self, key_id: str) -> Any:
        if key_id not in self._keys:
            async with httpx.AsyncClient() as client:
                res = await client.get(key_id.split("#")[0], headers={"Accept": AP})
            pem = res.json()["publicKey"]["publicKeyPem"]
            self._keys[key_id] = serialization.load_pem_public_key(pem.encode())
        return self._keys[key_id]

    async def _inbox(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        queue = self.replies.get(request.url.path)
        reply = queue.popleft() if queue else Reply()
        verified: VerifiedSignature | None = None
        error = None
        try:
            key_id = signature_key_id("POST", headers)
            key = await self._key(key_id)
            verified = verify_request("POST", str(request.url), headers, body, key)
        except (SignatureError, KeyError, ValueError) as exc:
            error = str(exc) or type(exc).__name__
        if reply.refuse is not None and verified is not None and verified.scheme == reply.refuse:
            # Refused this scheme: the sender should knock again with the other one.
            self.replies[request.url.path].appendleft(Reply(reply.status, reply.headers))
            return Response(status_code=401)
        self.received.append(Delivered(request.url.path, headers, body, verified, error))
        self.arrived.set()
        if reply.wait is not None:
            await reply.wait.wait()
        return Response(status_code=reply.status, headers=reply.headers)

    async def __aenter__(self) -> Sink:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/users/{name}", self._actor),
                Route("/.well-known/webfinger", self._webfinger),
                Route("/users/{name}/inbox", self._inbox, methods=["POST"]),
                Route("/inbox", self._inbox, methods=["POST"]),
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


async def add_follower(
    instance: Instance, group: Group, actor_id: str, *, accepted: bool = True
) -> Follower:
    """Store ``actor_id`` (fetched from its server) as a follower of ``group``.

    What the inbox's Follow handler leaves behind, without going through the inbox.
    """
    async with instance.ctx.sessions() as session:
        actor = await get_actor(instance.ctx, session, actor_id)
        follower = Follower(
            group_id=group.id,
            actor_id=actor.id,
            actor=actor,
            follow_ap_id=f"{actor_id}#follows/{group.uid}",
            accepted=accepted,
        )
        session.add(follower)
        await session.commit()
    return follower
