"""Helpers for the scale-out test: a loopback proxy, a farm that tells activities apart,
real ``mutuals`` processes, and which process holds a connection."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.httpsig import signature_key_id, verify_request
from tests.queues.support import InboxFarm, wait_for

Key = tuple[str, str]
"""(inbox path, activity id): one activity's delivery to one inbox."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackProxy:
    """A TCP proxy on a loopback port handing each connection to the next backend in turn.

    ``served`` counts the connections each backend port was given.
    """

    def __init__(self, backends: list[int]) -> None:
        self.served: Counter[int] = Counter()
        self._next = itertools.cycle(backends)
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend = next(self._next)
        self.served[backend] += 1
        self._writers.add(writer)
        try:
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return
        self._writers.add(upstream)
        await asyncio.gather(self._pipe(reader, upstream), self._pipe(upstream_reader, writer))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LoopbackProxy]:
        server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            server.close()
            for writer in self._writers:
                writer.close()
            await server.wait_closed()
            await asyncio.sleep(0)  # let the closed transports finish


class ActivityFarm(InboxFarm):
    """An `InboxFarm` on ``hosts`` ports (each a host to the workers' per-host limits)
    that counts each activity apart, checks every signature, records the key ids, and
    knows which client port each answer it holds is owed to."""

    def __init__(self, public_pem: str, hosts: int) -> None:
        super().__init__(public_pem)
        self.hosts = hosts
        self.ports: list[int] = []
        self.deliveries: Counter[Key] = Counter()
        self.key_ids: set[str] = set()
        self.holding: dict[int, Key] = {}  # client port -> the delivery it waits on
        self.held: dict[int, Key] = {}  # every request ever held, by client port

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        key = (request.url.path, str(json.loads(body)["id"]))
        self.deliveries[key] += 1
        headers = dict(request.headers)
        try:
            self.key_ids.add(signature_key_id("POST", headers))
            verify_request("POST", str(request.url), headers, body, self._key)  # type: ignore[arg-type]
        except Exception as exc:
            self.bad_signatures.append(f"{key}: {exc}")
        assert request.client is not None
        port = request.client.port
        will_hold = self.hold_after is not None and self.total + 1 > self.hold_after
        if will_hold:
            self.holding[port] = self.held[port] = key
        try:
            return await super()._receive(request)
        finally:
            self.holding.pop(port, None)

    def inbox(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index % self.hosts]}/inbox/{index}"

    @asynccontextmanager
    async def running(self) -> AsyncIterator[ActivityFarm]:
        sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(self.hosts)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        self.ports = [sock.getsockname()[1] for sock in sockets]
        app = Starlette(routes=[Route("/inbox/{n}", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, log_level="error", lifespan="off", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=sockets))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            yield self
        finally:
            self.release()
            server.should_exit = True
            await task


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``mutuals COMMAND…`` as a process, its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "web.cli", *command],
            cwd=log.parent,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def run(command: list[str], env: dict[str, str], log: Path) -> str:
    """Run ``mutuals COMMAND…`` to the end; what it printed (it must succeed)."""
    process = start(command, env, log)
    code = await asyncio.to_thread(process.wait, 60)
    assert code == 0, log.read_text()
    return log.read_text()


async def wait_ready(
    ports: list[int], processes: list[subprocess.Popen[bytes]], logs: list[Path]
) -> None:
    """Until every web process answers ``/readyz`` 200 on its own port and every worker
    has logged that it runs (failing at once if any of ``processes`` ended)."""

    last: list[str] = []

    async def ready() -> bool:
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, log.read_text()
        if sum("worker running" in log.read_text() for log in logs) < len(logs) - len(ports):
            return False
        async with httpx.AsyncClient() as client:
            for port in ports:
                try:
                    answer = await client.get(f"http://127.0.0.1:{port}/readyz")
                except httpx.TransportError as exc:
                    last[:] = [repr(exc)]
                    return False
                if answer.status_code != 200:
                    last[:] = [answer.text]
                    return False
        return True

    try:
        await wait_for(ready, timeout=60)
    except TimeoutError:
        raise AssertionError(f"not ready: {last}") from None


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def connection_owners(
    client_ports: set[int], server_ports: list[int], pids: list[int]
) -> dict[int, int]:
    """Which of ``pids`` holds each loopback connection from ``client_ports`` to one of
    ``server_ports``: client port -> pid (read from ``/proc/net/tcp``)."""
    inode_of: dict[str, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        port, peer = int(local.split(":")[1], 16), int(remote.split(":")[1], 16)
        if port in client_ports and peer in server_ports:
            inode_of[inode] = port
    owners = {}
    for pid in pids:
        for inode in _socket_inodes(pid) & inode_of.keys():
            owners[inode_of[inode]] = pid
    return owners
