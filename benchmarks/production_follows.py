"""Benchmark, production path: 10,000 new followers on 1,000 hosts follow one group.

Each remote actor is new to the instance: ``mutuals serve`` (its own process, no
workers) fetches its actor document for the key from the sink of ``benchmarks.fanout``,
which plays the 1,000 hosts and serves those documents; ``mutuals worker`` applies each
``Follow`` (automatic approval) and delivers the ``Accept`` to the actor's inbox. Timed
from the first ``Follow`` sent to the last ``Accept`` received.

The reference receives the same signed Follows (a bare Starlette endpoint that verifies
them with keys parsed beforehand) and answers each with an ``Accept`` signed by the
group's key with ``federation.httpsig``, written on keep-alive asyncio streams.

    .venv/bin/python -m benchmarks.production_follows [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import create_group
from actors.keys import load_private_key, load_public_key
from actors.urls import Urls
from benchmarks.common import (
    CLIENT_CPU,
    Database,
    Server,
    closed_loop,
    free_port,
    pin,
)
from benchmarks.fanout import HOSTS, PER_HOST, SHARED_HOSTS, Plan, Sink, address
from benchmarks.inbox_ingest import KEYS, key_pairs, signed_post
from benchmarks.production_fanout import postgres_cpu
from benchmarks.production_ingest import Processes
from federation.httpsig import SignatureError, sign_request, signature_key_id, verify_request
from store.db import make_engine, make_sessionmaker

DEADLINE = 300.0
AS = "https://www.w3.org/ns/activitystreams"


def actor_path(host: int, n: int) -> str:
    return f"/users/u{host}-{n}"


def everyone() -> list[tuple[int, int]]:
    """(host, n) of each of the 10,000 followers."""
    return [(h, n) for h in range(HOSTS) for n in range(PER_HOST)]


def actor_document(plan: Plan, host: int, n: int, pems: list[str]) -> bytes:
    """What the follower's server serves at its id, as Mastodon publishes a Person."""
    actor = plan.origin(host) + actor_path(host, n)
    doc: dict[str, Any] = {
        "@context": [AS, "https://w3id.org/security/v1"],
        "id": actor,
        "type": "Person",
        "preferredUsername": f"u{host}-{n}",
        "inbox": f"{actor}/inbox",
        "publicKey": {
            "id": f"{actor}#main-key",
            "owner": actor,
            "publicKeyPem": pems[(host * PER_HOST + n) % KEYS],
        },
    }
    if host < SHARED_HOSTS:
        doc["endpoints"] = {"sharedInbox": plan.origin(host) + "/inbox"}
    return json.dumps(doc).encode()


def follows(plan: Plan, port: int, group: str, path: str, keys: list[Any]) -> list[bytes]:
    """The 10,000 signed Follows, raw, to ``path`` on ``port``."""
    requests = []
    for host, n in everyone():
        actor = plan.origin(host) + actor_path(host, n)
        body = json.dumps(
            {"@context": AS, "id": f"{actor}#follows/1", "type": "Follow", "actor": actor,
             "object": group}
        ).encode()  # fmt: skip
        key = keys[(host * PER_HOST + n) % KEYS]
        requests.append(signed_post(port, body, f"{actor}#main-key", key, path))
    return requests


async def make_group(database_url: str, base: str) -> tuple[str, str, tuple[str, str, str]]:
    """The group ``bench`` (automatic approval): its actor id, inbox path and key."""
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        group = await create_group(session, "bench", Urls(base))
        await session.commit()
        urls = Urls(base)
        found = (
            urls.group(group.uid),
            f"/groups/{group.uid}/inbox",
            (urls.group_key(group.uid), group.private_key_pem, group.public_key_pem),
        )
    await engine.dispose()
    return found


def reference_app(
    port: int, plan: Plan, pems: list[str], path: str, key: tuple[str, str, str]
) -> Starlette:
    """Verify each Follow with keys parsed beforehand; answer it with a signed Accept
    written on keep-alive streams, 64 at a time (a process target)."""
    parsed = [load_public_key(pem) for pem in pems]
    public = {
        f"{plan.origin(h)}{actor_path(h, n)}#main-key": parsed[(h * PER_HOST + n) % KEYS]
        for h, n in everyone()
    }
    key_id, private = key[0], load_private_key(key[1])
    queue: asyncio.Queue[tuple[int, str, bytes]] = asyncio.Queue()
    base = f"http://127.0.0.1:{port}"

    async def inbox(request: Request) -> Response:
        body = await request.body()
        try:
            found = public[signature_key_id("POST", request.headers)]
            verify_request("POST", base + request.url.path, request.headers, body, found)
        except (SignatureError, KeyError):
            return Response(status_code=401)
        follow = json.loads(body)
        host = int(follow["actor"].rsplit("/u", 1)[1].split("-")[0])
        accept = {"@context": AS, "id": follow["id"] + "/accept", "type": "Accept",
                  "actor": follow["object"], "object": follow}  # fmt: skip
        queue.put_nowait((host, follow["actor"] + "/inbox", json.dumps(accept).encode()))
        return Response(status_code=202)

    async def lane() -> None:
        streams: dict[int, Any] = {}
        while True:
            host, url, body = await queue.get()
            if host not in streams:
                streams[host] = await asyncio.open_connection(address(host), plan.port)
            reader, writer = streams[host]
            authority = f"{address(host)}:{plan.port}"
            headers = {"Host": authority, "Content-Type": "application/activity+json"}
            headers |= sign_request("POST", url, headers, body, key_id=key_id, private_key=private)
            head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            target = url.split(authority, 1)[1]
            writer.write(
                f"POST {target} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await reader.readuntil(b"\r\n\r\n")  # the sink answers with no body

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        lanes = [asyncio.create_task(lane()) for _ in range(64)]
        yield
        for task in lanes:
            task.cancel()

    return Starlette(routes=[Route(path, inbox, methods=["POST"])], lifespan=lifespan)


async def _until_accepted(sink: Sink, expected: set[tuple[int, str]], start: float) -> float | None:
    while not expected <= sink.arrived.keys():
        if time.monotonic() - start > DEADLINE:
            return None
        await asyncio.sleep(0.01)
    return max(sink.arrived[k] for k in expected) - start


def show(label: str, span: float | None, sink: Sink, count: int, cpu: str) -> None:
    if span is None:
        print(f"{label:<36} not all accepted within {DEADLINE:.0f} s "
              f"({len(sink.arrived)}/{count}); {cpu}")  # fmt: skip
        return
    print(
        f"{label:<36} {span:7.2f} s, {count / span:6.0f} follows/s accepted; "
        f"{sink.checked - sink.bad_signatures}/{sink.checked} signatures ok; {cpu}",
        flush=True,
    )


async def _reference(
    plan: Plan, port: int, pems: list[str], path: str, key: Any, requests: list[bytes]
) -> float | None:
    expected = {(h, actor_path(h, n) + "/inbox") for h, n in everyone()}
    async with Sink(plan, key[2]) as sink:
        with Server(reference_app, (port, plan, pems, path, key), port) as server:
            start, before = time.monotonic(), server.cpu_seconds()
            answers = await closed_loop(port, requests)
            span = await _until_accepted(sink, expected, start)
            per = (server.cpu_seconds() - before) * 1000 / len(requests)
        cpu = f"CPU {per:.2f} ms/follow; answers {dict(answers.statuses)}"
        show("reference (verify + streams)", span, sink, len(requests), cpu)
    return span


async def _ours(
    plan: Plan, port: int, pems: list[str], db: Database, key: Any, requests: list[bytes],
    profile: str | None,
) -> float | None:  # fmt: skip
    expected = {(h, actor_path(h, n) + "/inbox") for h, n in everyone()}

    def documents(host: int, path: str) -> bytes | None:
        name = path.removeprefix("/users/u")
        if not name.startswith(f"{host}-") or not name.split("-")[1].isdigit():
            return None
        return actor_document(plan, host, int(name.split("-")[1]), pems)

    sink = Sink(plan, key[2], documents)
    async with sink, Processes(db.url, port, profile) as processes:
        serve_before, worker_before = processes.cpu()
        db_before = postgres_cpu()
        start = time.monotonic()
        answers = await closed_loop(port, requests)
        span = await _until_accepted(sink, expected, start)
        serve_after, worker_after = processes.cpu()
        per = 1000 / len(requests)
        cpu = (f"CPU per follow: serve {(serve_after - serve_before) * per:.2f} ms, "
               f"worker {(worker_after - worker_before) * per:.2f} ms")  # fmt: skip
        if db.kind == "PostgreSQL":
            cpu += f", PostgreSQL {(postgres_cpu() - db_before) * per:.2f} ms"
        cpu += f"; answers {dict(answers.statuses)}"
        show("ours (mutuals serve + mutuals worker)", span, sink, len(requests), cpu)
    return span


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the worker into FILE")
    parser.add_argument("--only-ours", action="store_true", help="skip the reference")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    plan, port = Plan(free_port()), free_port()
    keys, pems = key_pairs()
    async with Database(args.postgres) as db:
        group, path, key = await make_group(db.url, f"http://127.0.0.1:{port}")
        requests = follows(plan, port, group, path, keys)
        print(f"follows, production path: {len(requests)} new followers on {HOSTS} hosts, "
              f"{db.kind}")  # fmt: skip
        reference = None
        if not args.only_ours:
            reference = await _reference(plan, port, pems, path, key, requests)
        ours = await _ours(plan, port, pems, db, key, requests, args.profile)
    if reference and ours:
        print(f"ratio ours/reference: {reference / ours:.2f}x (goal >= 0.5x)")


if __name__ == "__main__":
    asyncio.run(main())
