"""Benchmark 1, inbox ingest: signed POSTs to the shared inbox of the real app, to a durable insert.

1,000 remote actors (stored beforehand, so no key is fetched) send pre-signed ~2 KB
``Create{Note}`` activities; 5 % are duplicates and 1 % carry a bad signature. The
reference, in the same run and on the same port, is a bare Starlette endpoint that
only checks the digest and verifies the signature with ``federation.httpsig``.

Each server first gets one activity from each actor, not measured: the keys are then
cached, as the benchmark's scenario says (the reference parses its keys beforehand).
That first contact's rate is printed too.

    .venv/bin/python -m benchmarks.inbox_ingest [--postgres URL] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from typing import Any

from sqlalchemy import func, insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.keys import load_public_key
from actors.models import RemoteActor
from benchmarks.common import (
    CLIENT_CPU,
    Database,
    Result,
    Server,
    closed_loop,
    free_port,
    open_loop,
    pin,
    real_app,
    row,
    rsa_key_pem,
)
from federation.httpsig import SignatureError, sign_request, signature_key_id, verify_request
from inbox.models import InboxItem
from store.db import make_engine, make_sessionmaker

ACTORS = 1000
KEYS = 20  # RSA key generation is slow: the 1,000 actors share 20 key pairs (own key ids)
DUPLICATES = 0.05
BAD = 0.01
RATE = 1000.0
WARMUP = 10**6  # activity numbers of the warm-up requests (apart from the others)
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FILLER = "Food distribution moved to the community hall on Elm Street this week. " * 22


def actor_url(i: int) -> str:
    return f"https://peer{i}.example/users/u{i}"


def activity(actor: str, n: int) -> bytes:
    """A ~2 KB Create{Note} by ``actor``."""
    note = {
        "id": f"{actor}/notes/{n}",
        "type": "Note",
        "attributedTo": actor,
        "to": [PUBLIC],
        "content": f"<p>{FILLER}</p>",
    }
    doc = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/activities/{n}",
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "object": note,
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def signed_post(port: int, body: bytes, key_id: str, key: Any, path: str = "/inbox") -> bytes:
    """The raw bytes of a POST to ``path``, signed (draft-cavage, as Mastodon signs)."""
    host = f"127.0.0.1:{port}"
    headers = {"Host": host, "Content-Type": "application/activity+json"}
    headers |= sign_request(
        "POST", f"http://{host}{path}", headers, body, key_id=key_id, private_key=key
    )
    headers["Content-Length"] = str(len(body))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + body


def workload(
    port: int,
    count: int,
    first: int,
    keys: list[Any],
    rng: random.Random,
    bad: set[bytes],
    path: str = "/inbox",
) -> list[bytes]:
    """``count`` requests to ``path``: fresh activities, 5 % repeats of earlier ones, 1 %
    bad signatures. The badly signed ones are also added to ``bad``.
    """
    requests: list[bytes] = []
    for n in range(first, first + count):
        if requests and rng.random() < DUPLICATES:
            requests.append(rng.choice(requests))
            continue
        i = rng.randrange(ACTORS)
        key_id = f"{actor_url(i)}#k"
        request = signed_post(port, activity(actor_url(i), n), key_id, keys[i % KEYS], path)
        if rng.random() < BAD:  # someone else's signature over the same headers
            other = signed_post(port, activity(actor_url(i), -n), key_id, keys[0], path)
            request = _swap_signature(request, other)
            bad.add(request)
        requests.append(request)
    return requests


def key_pairs() -> tuple[list[Any], list[str]]:
    """`KEYS` new RSA keys, and their public PEMs."""
    pairs = [rsa_key_pem() for _ in range(KEYS)]
    return [key for key, _ in pairs], [pem for _, pem in pairs]


def warmup_requests(port: int, keys: list[Any]) -> list[bytes]:
    """One activity from each actor: its key is then cached (not measured)."""
    return [
        signed_post(port, activity(actor_url(i), WARMUP + i), f"{actor_url(i)}#k", keys[i % KEYS])
        for i in range(ACTORS)
    ]


def _swap_signature(request: bytes, donor: bytes) -> bytes:
    def signature(raw: bytes) -> bytes:
        return next(line for line in raw.split(b"\r\n") if line.startswith(b"Signature: "))

    return request.replace(signature(request), signature(donor))


async def store_actors(database_url: str, pems: list[str]) -> None:
    """The 1,000 remote actors with their keys, as if fetched before."""
    engine = make_engine(database_url)
    rows = [
        {
            "ap_id": actor_url(i),
            "domain": f"peer{i}.example",
            "preferred_username": f"u{i}",
            "inbox": f"{actor_url(i)}/inbox",
            "shared_inbox": f"https://peer{i}.example/inbox",
            "key_id": f"{actor_url(i)}#k",
            "public_key_pem": pems[i % KEYS],
            "document": {},
        }
        for i in range(ACTORS)
    ]
    async with make_sessionmaker(engine)() as session:
        await session.execute(insert(RemoteActor), rows)
        await session.commit()
    await engine.dispose()


async def stored_items(database_url: str) -> int:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        count = (await session.execute(select(func.count()).select_from(InboxItem))).scalar_one()
    await engine.dispose()
    return int(count)


def reference_app(port: int, pems: list[str], paths: tuple[str, ...] = ("/inbox",)) -> Starlette:
    """Only the digest and the signature, keys parsed beforehand, at each of ``paths``
    (a process target)."""
    keys = {f"{actor_url(i)}#k": load_public_key(pems[i % KEYS]) for i in range(ACTORS)}
    base = f"http://127.0.0.1:{port}"

    async def inbox(request: Request) -> Response:
        body = await request.body()
        try:
            key = keys[signature_key_id("POST", request.headers)]
            verify_request("POST", base + request.url.path, request.headers, body, key)
        except (SignatureError, KeyError):
            return Response(status_code=401)
        return Response(status_code=202)

    return Starlette(routes=[Route(path, inbox, methods=["POST"]) for path in paths])


async def measured(server: Server, requests: list[bytes]) -> tuple[Result, float]:
    """The closed-loop run of ``requests``, and the server's CPU milliseconds per request."""
    before = server.cpu_seconds()
    result = await closed_loop(server.port, requests)
    return result, (server.cpu_seconds() - before) * 1000 / len(requests)


def statuses(result: Result) -> str:
    return " ".join(f"{status}×{n}" for status, n in sorted(result.statuses.items()))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--requests", type=int, default=4000, help="requests per throughput run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the 1,000/s run")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    rng = random.Random(4)
    port = free_port()
    keys, pems = key_pairs()
    bad: set[bytes] = set()
    warmup = warmup_requests(port, keys)
    burst = workload(port, args.requests, 0, keys, rng, bad)
    paced = workload(port, int(RATE * args.seconds), args.requests, keys, rng, bad)
    unique = len(set(warmup + burst + paced) - bad)

    async with Database(args.postgres) as db:
        await store_actors(db.url, pems)
        print(
            f"inbox ingest: {len(warmup)} (warm-up) + {len(burst)} + {len(paced)} POSTs,"
            f" {db.kind}, server on one core"
        )
        row("", "req/s", "p50 ms", "p99 ms", "statuses")
        with Server(reference_app, (port, pems), port) as server:
            ref_first = await closed_loop(port, warmup)
            ref, ref_cpu = await measured(server, burst)
            ref_paced = await open_loop(port, paced, rate=RATE)
        with Server(real_app, (port, db.url), port) as server:
            app_first = await closed_loop(port, warmup)
            app, app_cpu = await measured(server, burst)
            app_paced = await open_loop(port, paced, rate=RATE)
        for label, res in [
            ("reference, first contact (warm-up)", ref_first),
            ("real app, first contact (warm-up)", app_first),
            ("reference, closed loop (32 conns)", ref),
            ("real app, closed loop (32 conns)", app),
            (f"reference, open loop {RATE:.0f}/s", ref_paced),
            (f"real app, open loop {RATE:.0f}/s", app_paced),
        ]:
            p50, p99 = res.percentile(50), res.percentile(99)
            row(label, f"{res.rate:.0f}", f"{p50:.1f}", f"{p99:.1f}", statuses(res))
        stored = await stored_items(db.url)
    ratio = app.rate / ref.rate
    print(f"throughput ratio real/reference: {ratio:.2f}x (target >= 0.5x)")
    print(f"server CPU per request, closed loop: real {app_cpu:.2f} ms, reference {ref_cpu:.2f} ms")
    print(f"p99 at {RATE:.0f}/s: {app_paced.percentile(99):.1f} ms (target < 25 ms)")
    print(f"inbox rows stored: {stored} of {unique} distinct well-signed activities")


if __name__ == "__main__":
    asyncio.run(main())
