"""Helpers for the queue fault tests: an inbox farm, bulk followers, worker subprocesses."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from sqlalchemy import insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actors.groups import create_group
from actors.instance import Context
from actors.models import Follower, Group, RemoteActor
from federation.httpsig import verify_request
from posts import notes
from web.runtime import open_context
from web.settings import Settings

SAMPLE_EVERY = 50
BASE_URL = "http://127.0.0.1:9"  # nothing listens: the tests never fetch from us


class InboxFarm:
    """One loopback port playing many personal inboxes, ``/inbox/0`` … ``/inbox/N``.

    Counts every POST per path, checks the signature of every `SAMPLE_EVERY`-th one
    against ``public_pem``, and, once ``hold_after`` POSTs have arrived, holds the
    answers to any further ones until `release` (a worker caught mid-fan-out).
    """

    def __init__(self, public_pem: str, hold_after: int | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self.bad_signatures: list[str] = []
        self.hold_after = hold_after
        self.released = asyncio.Event()
        self.arrived = asyncio.Event()
        self._key = serialization.load_pem_public_key(public_pem.encode())
        self.port = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def inbox(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}/inbox/{index}"

    def release(self) -> None:
        self.hold_after = None
        self.released.set()

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        self.counts[request.url.path] += 1
        if self.total % SAMPLE_EVERY == 0:
            try:
                verify_request("POST", str(request.url), request.headers, body, self._key)  # type: ignore[arg-type]
            except Exception as exc:
                self.bad_signatures.append(f"{request.url.path}: {exc}")
        self.arrived.set()
        if self.hold_after is not None and self.total > self.hold_after:
            await self.released.wait()
        return Response(status_code=202)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[InboxFarm]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/inbox/{n}", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, log_level="error", lifespan="off", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            yield self
        finally:
            self.release()
            server.should_exit = True
            await task


async def add_group(ctx: Context, name: str = "big") -> Group:
    """Create a local group directly in the database."""
    async with ctx.sessions() as session:
        group = await create_group(session, name, ctx.urls)
        await session.commit()
    return group


async def add_followers(ctx: Context, group: Group, inboxes: list[str]) -> None:
    """Store one accepted remote follower per inbox (personal inboxes, no shared one)."""
    async with ctx.sessions() as session:
        actors = [
            {
                "ap_id": f"{inbox}/actor",
                "domain": "127.0.0.1",
                "inbox": inbox,
                "preferred_username": f"u{n}",
            }
            for n, inbox in enumerate(inboxes)
        ]
        await session.execute(insert(RemoteActor), actors)
        ids = (await session.execute(select(RemoteActor.id).order_by(RemoteActor.id))).scalars()
        follows = [
            {"group_id": group.id, "actor_id": i, "follow_ap_id": f"f{i}", "accepted": True}
            for i in ids
        ]
        await session.execute(insert(Follower), follows)
        await session.commit()


async def publish(ctx: Context, group: Group, text: str = "food distribution moved") -> None:
    """Post a public Note from ``group`` (the fan-out starts with the commit)."""
    async with ctx.sessions() as session:
        await notes.publish_note(session, ctx, group, text)
        await session.commit()


def start_worker(database_url: str, cwd: Path, *, lease: float = 2.0) -> subprocess.Popen[bytes]:
    """A real ``mutuals worker`` process on ``database_url``; its output goes to ``cwd``."""
    env = {
        **os.environ,
        "MUTUALS_DEV": "1",
        "MUTUALS_BASE_URL": BASE_URL,
        "MUTUALS_DATABASE_URL": database_url,
        "MUTUALS_QUEUE_LEASE": str(lease),
    }
    with (cwd / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "web.cli", "worker"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def stop_worker(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Send ``sig`` and wait (at most 20 s) for the process to end; its exit code."""
    process.send_signal(sig)
    for _ in range(2000):
        code = process.poll()
        if code is not None:
            return code
        await asyncio.sleep(0.01)
    process.kill()
    raise AssertionError("the worker did not stop within 20 s")


async def wait_for(condition: Callable[[], Awaitable[bool]], *, timeout: float = 60.0) -> None:
    """Poll an async ``condition`` until it is true (TimeoutError after ``timeout`` s)."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


@asynccontextmanager
async def context(database_url: str, **settings: Any) -> AsyncIterator[Context]:
    """An instance context on ``database_url`` without a web server (development mode)."""
    values: dict[str, Any] = {"base_url": BASE_URL, "database_url": database_url, "dev": True}
    async with open_context(Settings(**(values | settings))) as ctx:
        yield ctx
