"""A fake remote fediverse server for tests: a real Starlette app on a loopback port.

It publishes actors with RSA keys, serves objects (or error statuses) at chosen paths,
records every POST to its inboxes, and signs activities to POST to an instance, the
way Mastodon does (draft-cavage over ``(request-target) host date digest content-type``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.keys import generate_key_pair, load_private_key
from federation.httpsig import sign_request

AP = "application/activity+json"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


@dataclass
class PeerActor:
    """One actor of the peer, with its key pair."""

    id: str
    name: str
    type: str
    private_pem: str
    public_pem: str
    shared_inbox: str
    display_name: str = ""
    """The ``name`` its document gives (hostile ones too); its name, capitalized, if empty."""

    @property
    def key_id(self) -> str:
        return self.id + "#main-key"

    @property
    def inbox(self) -> str:
        return self.id + "/inbox"

    @property
    def private_key(self) -> PrivateKeyTypes:
        return load_private_key(self.private_pem)

    def document(self) -> dict[str, Any]:
        """The actor document, as Mastodon publishes a Person."""
        return {
            "@context": [AS_CONTEXT, "https://w3id.org/security/v1"],
            "id": self.id,
            "type": self.type,
            "preferredUsername": self.name,
            "name": self.display_name or self.name.title(),
            "inbox": self.inbox,
            "outbox": self.id + "/outbox",
            "followers": self.id + "/followers",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "publicKey": {"id": self.key_id, "owner": self.id, "publicKeyPem": self.public_pem},
        }


@dataclass
class Received:
    """A POST the peer's inboxes received."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def activity(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


# Generating RSA keys is slow; tests reuse a few pairs (each actor still gets its own).
_KEY_POOL: list[tuple[str, str]] = []


def _key_pair(index: int) -> tuple[str, str]:
    while len(_KEY_POOL) <= index:
        _KEY_POOL.append(generate_key_pair())
    return _KEY_POOL[index]


@dataclass
class Peer:
    """A running fake server. ``objects`` maps a path to a document or an HTTP status."""

    base_url: str = ""
    actors: dict[str, PeerActor] = field(default_factory=dict)
    objects: dict[str, dict[str, Any] | int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)  # paths of every GET served
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def actor(self, name: str = "alice", *, type: str = "Person") -> PeerActor:
        """Add (or get) an actor served at ``/users/{name}``."""
        if name not in self.actors:
            private_pem, public_pem = _key_pair(len(self.actors))
            self.actors[name] = PeerActor(
                id=f"{self.base_url}/users/{name}",
                name=name,
                type=type,
                private_pem=private_pem,
                public_pem=public_pem,
                shared_inbox=f"{self.base_url}/inbox",
            )
        return self.actors[name]

    def new_id(self, actor: PeerActor, kind: str = "activities") -> str:
        """A fresh id under the actor, e.g. ``…/users/alice/activities/3``."""
        return f"{actor.id}/{kind}/{next(self._ids)}"

    def note(self, actor: PeerActor, content: str = "<p>Hello</p>", **extra: Any) -> dict[str, Any]:
        """A public Note by ``actor``, served by the peer at its id."""
        note_id = self.new_id(actor, "statuses")
        doc = {
            "@context": AS_CONTEXT,
            "id": note_id,
            "type": "Note",
            "attributedTo": actor.id,
            "content": content,
            "published": "2026-01-02T03:04:05Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [actor.id + "/followers"],
            **extra,
        }
        self.serve(doc)
        return doc

    def serve(self, doc: dict[str, Any] | int, path: str | None = None) -> None:
        """Serve ``doc`` (or an error status) at ``path``, by default the doc's own id."""
        if path is None:
            assert isinstance(doc, dict)
            path = str(doc["id"]).removeprefix(self.base_url)
        self.objects[path] = doc

    def activity(self, actor: PeerActor, type: str, obj: Any, **extra: Any) -> dict[str, Any]:
        """An activity by ``actor`` with a fresh id."""
        return {
            "@context": AS_CONTEXT,
            "id": self.new_id(actor),
            "type": type,
            "actor": actor.id,
            "object": obj,
            **extra,
        }

    def signed_headers(
        self, actor: PeerActor, url: str, body: bytes, *, key: PrivateKeyTypes | None = None
    ) -> dict[str, str]:
        """Headers of a POST of ``body`` to ``url`` signed with the actor's key (or ``key``)."""
        headers = {"Content-Type": AP}
        headers |= sign_request(
            "POST",
            url,
            headers,
            body,
            key_id=actor.key_id,
            private_key=key or actor.private_key,  # type: ignore[arg-type]
        )
        return headers

    async def post(
        self,
        url: str,
        activity: dict[str, Any] | None = None,
        *,
        actor: PeerActor | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        local_address: str | None = None,
    ) -> httpx.Response:
        """POST to an inbox, signed by ``actor`` (default: the activity's actor) unless
        ``headers`` are given; ``body`` overrides the serialised activity;
        ``local_address`` picks the loopback address the request comes from."""
        data = body if body is not None else json.dumps(activity).encode()
        if headers is None:
            signer = actor or self._actor_by_id(str((activity or {})["actor"]))
            headers = self.signed_headers(signer, url, data)
        transport = httpx.AsyncHTTPTransport(local_address=local_address)
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.post(url, content=data, headers=headers)

    def _actor_by_id(self, actor_id: str) -> PeerActor:
        return next(a for a in self.actors.values() if a.id == actor_id)

    def inbox_activities(self, type: str | None = None) -> list[dict[str, Any]]:
        """Activities received so far (of one type, when given)."""
        found = [r.activity for r in self.received]
        return [a for a in found if type is None or a.get("type") == type]

    # ------------------------------------------------------------------ the server side

    def app(self, inboxes: tuple[str, ...] = ()) -> Starlette:
        """The server; ``inboxes`` are more paths whose POSTs are recorded as inboxes'."""

        async def actor_doc(request: Request) -> Response:
            self.fetched.append(request.url.path)
            found = self.actors.get(request.path_params["name"])
            if found is None:
                return Response(status_code=404)
            return Response(json.dumps(found.document()), media_type=AP)

        async def inbox(request: Request) -> Response:
            self.received.append(
                Received(request.url.path, dict(request.headers), await request.body())
            )
            return Response(status_code=202)

        async def anything(request: Request) -> Response:
            self.fetched.append(request.url.path)
            found = self.objects.get(request.url.path)
            if found is None:
                return Response(status_code=404)
            if isinstance(found, int):
                return Response(status_code=found)
            return Response(json.dumps(found), media_type=AP)

        return Starlette(
            routes=[
                *(
                    Route(path, inbox, methods=["POST"])
                    for path in ("/inbox", "/users/{name}/inbox", *inboxes)
                ),
                Route("/users/{name}", actor_doc),
                Route("/{path:path}", anything),
            ]
        )


@asynccontextmanager
async def running_peer(
    host: str = "127.0.0.1", *, inboxes: tuple[str, ...] = ()
) -> AsyncIterator[Peer]:
    """Serve a `Peer` on a free loopback port for the duration of the block.

    ``host`` names it in its ids: ``localhost`` gives a second, distinct domain on
    the same loopback address (for domain rules and allowlist tests). ``inboxes``: more
    inbox paths, as other servers name them (``/u/{name}/inbox``…).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    peer = Peer(base_url=f"http://{host}:{sock.getsockname()[1]}")
    app = peer.app(inboxes)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield peer
    finally:
        server.should_exit = True
        await task
