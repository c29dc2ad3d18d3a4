"""Shared helpers: fresh databases, servers in pinned processes, a raw HTTP/1.1 load generator.

On this 2-core machine the server under test runs in its own process on `SERVER_CPU`
and the load generator on `CLIENT_CPU` (``os.sched_setaffinity``), so "one core" means
one core for the server, and the two never compete for the same core.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from web.app import create_app, freeze_startup_objects
from web.migrate import upgrade
from web.settings import Settings

CLIENT_CPU = 0
SERVER_CPU = 1
SECRET = "benchmark-secret-key-0123456789"
SPAWN = multiprocessing.get_context("spawn")


def pin(cpu: int) -> None:
    """Run this process on one core only (when the machine has it)."""
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def listening(port: int) -> bool:
    """Whether something accepts connections on loopback ``port`` now."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings(port: int, database_url: str) -> Settings:
    """A development instance at ``http://127.0.0.1:port``, workers off."""
    base = f"http://127.0.0.1:{port}"
    return Settings(base_url=base, database_url=database_url, secret_key=SECRET, dev=True)


def rsa_key_pem() -> tuple[rsa.RSAPrivateKey, str]:
    """A new RSA-2048 key and its public PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, pem.decode()


# --- databases -------------------------------------------------------------------------


class Database:
    """A fresh migrated database: an SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, postgres: str | None) -> None:
        self._postgres = postgres
        self._name = f"mutuals_bench_{uuid.uuid4().hex[:10]}"
        if postgres is None:
            self._dir = tempfile.TemporaryDirectory(prefix="mutuals-bench-")
            self.url = f"sqlite+aiosqlite:///{self._dir.name}/bench.db"
        else:
            self.url = postgres.rsplit("/", 1)[0] + "/" + self._name

    @property
    def kind(self) -> str:
        return "SQLite" if self._postgres is None else "PostgreSQL"

    async def _admin(self, sql: str) -> None:
        assert self._postgres is not None
        conn = await asyncpg.connect(self._postgres.replace("+asyncpg", ""))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def __aenter__(self) -> Database:
        if self._postgres is not None:
            await self._admin(f'CREATE DATABASE "{self._name}"')
        await upgrade(self.url)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._postgres is None:
            self._dir.cleanup()
        else:
            await self._admin(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')


# --- servers in their own processes ----------------------------------------------------


def _serve(factory: Callable[..., Any], args: tuple[Any, ...], port: int, cpu: int) -> None:
    pin(cpu)
    app = factory(*args)
    freeze_startup_objects()  # as ``mutuals serve`` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def real_app(port: int, database_url: str) -> Any:
    """``web.app.create_app`` for a development instance on ``port`` (a process target)."""
    return create_app(settings(port, database_url))


class Server:
    """``with Server(factory, args, port):`` serves ``factory(*args)`` with uvicorn on SERVER_CPU.

    Both the real app and every reference run with the same uvicorn options
    (uvloop and httptools, as ``mutuals serve`` picks them; no access log), so ratios
    compare the code, not the server.
    """

    def __init__(self, factory: Callable[..., Any], args: tuple[Any, ...], port: int) -> None:
        self.port = port
        self._process: BaseProcess = SPAWN.Process(
            target=_serve, args=(factory, args, port, SERVER_CPU), daemon=True
        )

    def __enter__(self) -> Server:
        self._process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._process.is_alive():
            if listening(self.port):
                return self
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"server on port {self.port} did not start")

    @property
    def pid(self) -> int | None:
        """The server's process id (to attach a profiler)."""
        return self._process.pid

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads) the server process has used so far."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(10)


# --- the load generator ----------------------------------------------------------------


@dataclass
class Result:
    """Statuses and latencies (seconds) of one load run."""

    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds."""
        cuts = statistics.quantiles(self.latencies, n=1000, method="inclusive")
        return cuts[min(int(p * 10) - 1, len(cuts) - 1)] * 1000


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def exchange(conn: Connection, request: bytes) -> int:
    """Send one request on a keep-alive connection and read the whole answer; its status."""
    reader, writer = conn
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return int(head[9:12])


async def _connections(port: int, count: int) -> list[Connection]:
    return [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]


async def closed_loop(
    port: int, requests: Sequence[bytes], *, connections: int = 32, duration: float | None = None
) -> Result:
    """Each connection sends its next request as soon as it has an answer.

    Every request is sent once, or, with ``duration``, the list is cycled until time is up.
    """
    conns = await _connections(port, connections)
    result = Result()
    loop = asyncio.get_running_loop()
    start = loop.time()
    counter = iter(range(10**12))

    async def worker(conn: Connection) -> None:
        for i in counter:
            if duration is None and i >= len(requests):
                return
            if duration is not None and loop.time() - start > duration:
                return
            sent = loop.time()
            result.statuses[await exchange(conn, requests[i % len(requests)])] += 1
            result.latencies.append(loop.time() - sent)

    await asyncio.gather(*(worker(conn) for conn in conns))
    result.elapsed = loop.time() - start
    for _, writer in conns:
        writer.close()
    return result


async def open_loop(
    port: int, requests: Sequence[bytes], *, rate: float, connections: int = 256
) -> Result:
    """Send request ``i`` at ``i / rate`` seconds whatever the answers (an open loop).

    Latency counts from when a request was due, not when a connection was free, so a
    server falling behind shows its queueing delay (no coordinated omission). One
    pacer starts each request when it is due (creating thousands of waiting tasks up
    front would itself make the first requests late).
    """
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for conn in await _connections(port, connections):
        free.put_nowait(conn)
    result = Result()
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float, request: bytes) -> None:
        conn = await free.get()
        result.statuses[await exchange(conn, request)] += 1
        result.latencies.append(loop.time() - due)
        free.put_nowait(conn)

    start = loop.time()
    for i, request in enumerate(requests):
        due = start + i / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        task = loop.create_task(one(due, request))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    result.elapsed = loop.time() - start
    while not free.empty():
        free.get_nowait()[1].close()
    return result


def row(label: str, *cells: str) -> None:
    """Print one line of a results table."""
    print(f"{label:<34}" + "".join(f" {cell:>13}" for cell in cells), flush=True)
