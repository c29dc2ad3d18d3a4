"""Benchmark 2, fan-out: one post to 10,000 followers on 1,000 hosts (1,900 deliveries).

900 hosts have a shared inbox, 100 have 10 personal inboxes each. A sink in this
process plays every host on its own loopback address (127.1.x.y, one port), answers
202 and verifies every 10th signature. The sender runs in a child process on its own
core: our code (``posts.notes.publish_note``, then the workers as production runs
them, ``web.workers.running_workers``; with ``--steps``, their ``run_once`` steps from
``web.workers.worker_steps`` instead) or the reference, a bare asyncio loop signing
each request with ``federation.httpsig`` and posting it with a plain ``httpx`` client.

    .venv/bin/python -m benchmarks.fanout [--postgres URL] [--steps]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import insert

from actors.groups import create_group, get_group
from actors.keys import load_private_key, load_public_key
from actors.models import Follower, Group, RemoteActor
from actors.urls import Urls
from benchmarks.common import CLIENT_CPU, SERVER_CPU, SPAWN, Database, free_port, pin, settings
from federation.httpsig import SignatureError, sign_request, verify_request
from posts.notes import publish_note
from store.db import make_engine, make_sessionmaker
from web.runtime import open_context
from web.workers import running_workers, worker_steps

HOSTS = 1000
SHARED_HOSTS = 900
PER_HOST = 10
BASE = settings(9, "").base_url  # the sending instance; nothing listens there
TEXT = "The food distribution moved to the community hall on Elm Street. " * 6
DEADLINE = 60.0  # seconds from the start of a run; hanging hosts would hold it 30 s more


def address(host: int) -> str:
    return f"127.1.{host // 200}.{host % 200 + 1}"


@dataclass
class Plan:
    """Where the followers live and which hosts misbehave (``503``, ``refuse``, ``hang``)."""

    port: int
    faults: dict[int, str] = field(default_factory=dict)

    def origin(self, host: int) -> str:
        return f"http://{address(host)}:{self.port}"

    def inboxes(self) -> list[tuple[int, str]]:
        """(host, inbox path) of every delivery: one per shared inbox, else one per follower."""
        shared = [(h, "/inbox") for h in range(SHARED_HOSTS)]
        personal = [
            (h, f"/users/u{h}-{j}/inbox")
            for h in range(SHARED_HOSTS, HOSTS)
            for j in range(PER_HOST)
        ]
        return shared + personal

    def healthy(self) -> set[tuple[int, str]]:
        return {(h, path) for h, path in self.inboxes() if h not in self.faults}

    def with_faults(self, seed: int = 3) -> Plan:
        """5 % of hosts answer 503 with Retry-After, 5 % refuse connections, 2 % hang."""
        picked = random.Random(seed).sample(range(HOSTS), HOSTS * 12 // 100)
        kinds = ["503"] * (HOSTS // 20) + ["refuse"] * (HOSTS // 20) + ["hang"] * (HOSTS // 50)
        return Plan(self.port, dict(zip(picked, kinds, strict=True)))


Key = tuple[str, str, str]
"""The group's key id, private PEM and public PEM."""


async def populate(database_url: str, plan: Plan) -> Key:
    """The group ``bench`` and its 10,000 accepted followers; the group's key."""
    engine = make_engine(database_url)
    actors: list[dict[str, Any]] = []
    followers: list[dict[str, Any]] = []
    for h in range(HOSTS):
        for j in range(PER_HOST):
            actor = f"{plan.origin(h)}/users/u{h}-{j}"
            shared = f"{plan.origin(h)}/inbox" if h < SHARED_HOSTS else None
            n = len(actors) + 1
            actors.append(
                {
                    "id": n,
                    "ap_id": actor,
                    "domain": f"{address(h)}:{plan.port}",
                    "inbox": f"{actor}/inbox",
                    "shared_inbox": shared,
                    "document": {},
                }
            )
            followers.append({"actor_id": n, "follow_ap_id": f"{actor}#follow", "accepted": True})
    async with make_sessionmaker(engine)() as session:
        group = await create_group(session, "bench", Urls(BASE), display_name="Bench")
        await session.execute(insert(RemoteActor), actors)
        await session.execute(insert(Follower), [f | {"group_id": group.id} for f in followers])
        await session.commit()
        key = (Urls(BASE).group_key(group.uid), group.private_key_pem, group.public_key_pem)
    await engine.dispose()
    return key


class Sink:
    """Every host of ``plan`` on loopback: records arrival times, samples signatures.

    ``documents`` (host, path) → bytes, when given, answers GETs (actor documents for
    the follows benchmark); anything it does not know is a 404.
    """

    def __init__(
        self,
        plan: Plan,
        public_pem: str,
        documents: Callable[[int, str], bytes | None] | None = None,
    ) -> None:
        self.plan = plan
        self.documents = documents
        self.key = load_public_key(public_pem)
        self.arrived: dict[tuple[int, str], float] = {}
        self.duplicates = 0
        self.checked = 0
        self.bad_signatures = 0
        self.release = asyncio.Event()
        self._servers: list[asyncio.Server] = []

    async def __aenter__(self) -> Sink:
        for h in range(HOSTS):
            if self.plan.faults.get(h) != "refuse":
                handler = self._handler(h)
                self._servers.append(
                    await asyncio.start_server(handler, address(h), self.plan.port, backlog=64)
                )
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        for server in self._servers:
            server.close()
        await asyncio.gather(*(server.wait_closed() for server in self._servers))

    def _handler(self, host: int) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while await self._one(host, reader, writer):
                    pass
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        return handle

    async def _one(self, host: int, reader: asyncio.StreamReader, writer: Any) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        headers = {name.lower(): value for name, value in headers.items()}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        method, path = request_line.split(" ")[:2]
        if method == "GET":
            return self._document(host, path, writer)
        kind = self.plan.faults.get(host)
        if kind == "hang":
            await self.release.wait()
            return False
        if kind == "503":
            writer.write(b"HTTP/1.1 503 Busy\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n")
            return True
        if (host, path) in self.arrived:
            self.duplicates += 1
        self.arrived[(host, path)] = time.monotonic()
        if len(self.arrived) % 10 == 0:
            self._check(f"{self.plan.origin(host)}{path}", headers, body)
        writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        return True

    def _document(self, host: int, path: str, writer: Any) -> bool:
        doc = self.documents(host, path) if self.documents else None
        if doc is None:
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return True
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(doc), doc)
        )
        return True

    def _check(self, url: str, headers: dict[str, str], body: bytes) -> None:
        self.checked += 1
        try:
            verify_request("POST", url, headers, body, self.key)
        except SignatureError:
            self.bad_signatures += 1


# --- the senders, each in a child process on CLIENT_CPU ----------------------------------


def our_sender(database_url: str, loop: bool, _plan: Plan, _key: Key, stop: Any, out: Any) -> None:
    """Publish a post with ``publish_note``, then step the workers until told to stop.

    With ``loop`` (the default), the workers run as in production
    (``web.workers.running_workers``); else they are stepped through ``worker_steps``.
    """
    pin(CLIENT_CPU)
    logging.getLogger("mutuals").setLevel(logging.ERROR)  # hosts paused under faults

    async def run() -> None:
        async with open_context(settings(9, database_url)) as ctx:
            start = time.monotonic()
            async with ctx.sessions() as session:
                group: Group = await get_group(session, "bench")
                await publish_note(session, ctx, group, TEXT)
                await session.commit()
            out.put((start, time.monotonic()))
            if loop:
                async with running_workers(ctx, enabled=True):
                    while not stop.is_set():  # noqa: ASYNC110 (a process-shared event)
                        await asyncio.sleep(0.01)
                return
            while not stop.is_set():
                handled = 0
                for step in worker_steps():
                    handled += await step(ctx)
                if handled == 0:
                    await asyncio.sleep(0.01)

    asyncio.run(run())


def reference_sender(_db: str, _loop: bool, plan: Plan, key: Key, stop: Any, out: Any) -> None:
    """Sign each request with ``federation.httpsig``; post with a plain httpx client."""
    pin(CLIENT_CPU)
    key_id, private = key[0], load_private_key(key[1])
    body = (b'{"type":"Create","object":{"content":"%s"}}' % TEXT.encode()).ljust(1500)
    urls = [plan.origin(h) + path for h, path in plan.inboxes()]

    async def post(client: httpx.AsyncClient, url: str, slots: asyncio.Semaphore) -> None:
        async with slots:
            headers = {"Content-Type": "application/activity+json"}
            headers |= sign_request("POST", url, headers, body, key_id=key_id, private_key=private)
            with contextlib.suppress(httpx.HTTPError):
                await client.post(url, content=body, headers=headers)

    async def run() -> None:
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
        async with httpx.AsyncClient(limits=limits, timeout=30.0, trust_env=False) as client:
            start = time.monotonic()
            out.put((start, start))
            # One httpcore pool walks all its connections on every request and every
            # close: 20 connections (and no more requests queued in it) took 2.5 s
            # here, 100 took 4.3 s. The semaphore keeps the pool's queue short.
            slots = asyncio.Semaphore(20)
            await asyncio.gather(*(post(client, url, slots) for url in urls))

    asyncio.run(run())


@dataclass
class Run:
    """Figures of one sender run, times in seconds from the sender's start."""

    publish: float
    healthy_done: float | None
    delivered: int
    expected: int
    duplicates: int
    checked: int
    bad_signatures: int


async def run(sender: Any, database_url: str, plan: Plan, key: Key, loop: bool = True) -> Run:
    """Serve ``plan`` with a sink while ``sender`` delivers; stop when healthy hosts have it all."""
    healthy = plan.healthy()
    async with Sink(plan, key[2]) as sink:
        stop, out = SPAWN.Event(), SPAWN.Queue()
        process = SPAWN.Process(target=sender, args=(database_url, loop, plan, key, stop, out))
        process.start()
        start, published = await asyncio.to_thread(out.get, True, 120)
        while not healthy <= sink.arrived.keys() and time.monotonic() - start < DEADLINE:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        stop.set()
        sink.release.set()
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.terminate()
        done = [sink.arrived[k] for k in healthy if k in sink.arrived]
        finished = len(done) == len(healthy)
        return Run(
            publish=published - start,
            healthy_done=max(done) - start if finished else None,
            delivered=len(done),
            expected=len(healthy),
            duplicates=sink.duplicates,
            checked=sink.checked,
            bad_signatures=sink.bad_signatures,
        )


def show(label: str, result: Run) -> None:
    done = f"{result.healthy_done:.2f} s" if result.healthy_done else f"> {DEADLINE:.0f} s"
    print(
        f"{label:<28} all healthy in {done:>9}  (publish {result.publish:.2f} s; "
        f"{result.delivered}/{result.expected} delivered, {result.duplicates} twice, "
        f"signatures {result.checked - result.bad_signatures}/{result.checked} ok)",
        flush=True,
    )


async def setup(postgres: str | None) -> tuple[Database, Plan, Key]:
    pin(SERVER_CPU)
    db = await Database(postgres).__aenter__()
    plan = Plan(free_port())
    key = await populate(db.url, plan)
    return db, plan, key


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument(
        "--steps",
        dest="loop",
        action="store_false",
        help="step the workers' run_once instead of their production loops",
    )
    return parser.parse_args()


async def compare(
    db: Database, key: Key, loop: bool, title: str, runs: list[tuple[str, Any, Plan]]
) -> list[Run]:
    """Print ``title``, then run and show each (label, sender, plan) in turn; drop ``db``."""
    results = []
    try:
        print(title)
        for label, sender, plan in runs:
            results.append(await run(sender, db.url, plan, key, loop))
            show(label, results[-1])
    finally:
        await db.__aexit__()
    return results


async def main() -> None:
    args = arguments()
    db, plan, key = await setup(args.postgres)
    reference, ours = await compare(
        db,
        key,
        args.loop,
        f"fan-out: {len(plan.inboxes())} deliveries to {HOSTS} hosts, {db.kind}",
        [
            ("reference (httpsig + httpx)", reference_sender, plan),
            ("ours (publish_note + workers)", our_sender, plan),
        ],
    )
    if reference.healthy_done and ours.healthy_done:
        ratio = reference.healthy_done / ours.healthy_done
        print(f"speed ratio ours/reference: {ratio:.2f}x (target >= 0.7x, about 2 s)")


if __name__ == "__main__":
    asyncio.run(main())
