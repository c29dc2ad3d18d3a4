"""Benchmark, production path: signed POSTs to a group's inbox and to the shared inbox of
``mutuals serve``, with ``mutuals worker`` applying them, each its own process.

The workload is ``benchmarks.inbox_ingest``'s (1,000 stored remote actors, ~2 KB
``Create{Note}``, 5 % duplicates, 1 % bad signatures); ``mutuals serve`` runs as
operators run it (``MUTUALS_RUN_WORKERS=0``, its access log on, as shipped) on the
server core, ``mutuals worker`` and the load on the other. The reference is the bare
Starlette endpoint of ``inbox_ingest`` (digest and signature only) at the same paths,
under the same uvicorn options.

Printed for each inbox: the closed-loop answer rate against the reference's, each
process's CPU per request, and the drain time: from the last answer until the worker
has applied every accepted row. Then the open loop at 1,000 POST/s.

    .venv/bin/python -m benchmarks.production_ingest [--postgres URL] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from typing import Any

from sqlalchemy import func, select

from actors.groups import create_group
from actors.urls import Urls
from benchmarks.common import (
    CLIENT_CPU,
    SERVER_CPU,
    Database,
    Result,
    Server,
    closed_loop,
    free_port,
    listening,
    open_loop,
    pin,
    row,
)
from benchmarks.inbox_ingest import (
    RATE,
    key_pairs,
    reference_app,
    statuses,
    store_actors,
    warmup_requests,
    workload,
)
from benchmarks.production_fanout import MUTUALS, cpu_seconds, environment, postgres_cpu
from inbox.models import InboxItem
from store.db import make_engine, make_sessionmaker
from store.queue import PENDING

DRAIN_LIMIT = 120.0


async def make_group(database_url: str, base: str) -> str:
    """The group ``bench``; its inbox path."""
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        group = await create_group(session, "bench", Urls(base))
        await session.commit()
        uid = group.uid
    await engine.dispose()
    return f"/groups/{uid}/inbox"


async def pending_rows(database_url: str) -> int:
    """Inbox rows not yet applied."""
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        count = await session.scalar(
            select(func.count()).select_from(InboxItem).where(InboxItem.status == PENDING)
        )
    await engine.dispose()
    return int(count or 0)


async def _drained(database_url: str) -> float | None:
    """Seconds until no inbox row is pending (None past `DRAIN_LIMIT`)."""
    start = time.monotonic()
    while await pending_rows(database_url):
        if time.monotonic() - start > DRAIN_LIMIT:
            return None
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def _pinned(cpu: int) -> Any:
    return lambda: pin(cpu)


class Processes:
    """``mutuals serve`` on the server core and ``mutuals worker`` on the other."""

    def __init__(self, database_url: str, port: int, profile: str | None = None) -> None:
        self.env = environment(database_url) | {
            "MUTUALS_BASE_URL": f"http://127.0.0.1:{port}",
            "MUTUALS_RUN_WORKERS": "0",
            "MUTUALS_LOG_LEVEL": "INFO",  # the access log, as shipped
        }
        self.port = port
        self.profile = profile
        self.serve: asyncio.subprocess.Process | None = None
        self.worker: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Processes:
        command = [MUTUALS, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.serve = await self._start(command, SERVER_CPU)
        worker = [MUTUALS, "worker"]
        if self.profile:
            worker = [sys.executable, "-m", "cProfile", "-o", self.profile, *worker]
        self.worker = await self._start(worker, CLIENT_CPU)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if listening(self.port):
                return self
            await asyncio.sleep(0.1)
        raise RuntimeError("mutuals serve did not start")

    async def _start(self, command: list[str], cpu: int) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *command, env=self.env, preexec_fn=_pinned(cpu),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of the server and of the worker."""
        assert self.serve is not None and self.worker is not None
        return cpu_seconds(self.serve.pid), cpu_seconds(self.worker.pid)

    async def __aexit__(self, *exc: object) -> None:
        for process in (self.serve, self.worker):
            if process is not None and process.returncode is None:
                process.terminate()
                await asyncio.wait_for(process.wait(), 30)


async def _ours(
    db: Database,
    port: int,
    warmup: list[bytes],
    runs: dict[str, list[bytes]],
    paced: list[bytes],
    profile: str | None,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    async with Processes(db.url, port, profile) as processes:
        await closed_loop(port, warmup)
        await _drained(db.url)
        for name, requests in runs.items():
            before = _cpu(processes, db)
            result = await closed_loop(port, requests)
            drain = await _drained(db.url)
            figures[name] = (result, drain, _per_request(before, _cpu(processes, db), requests))
        before, start = _cpu(processes, db), time.monotonic()
        figures["paced"] = await open_loop(port, paced, rate=RATE)
        figures["paced cpu"] = (
            _per_request(before, _cpu(processes, db), paced),
            time.monotonic() - start,
        )
        figures["paced drain"] = await _drained(db.url)
    return figures


def _cpu(processes: Processes, db: Database) -> tuple[float, float, float]:
    """CPU seconds so far of the server, the worker and (on PostgreSQL) the database."""
    return (*processes.cpu(), postgres_cpu() if db.kind == "PostgreSQL" else 0.0)


def _per_request(
    before: tuple[float, ...], after: tuple[float, ...], requests: list[bytes]
) -> tuple[float, ...]:
    """CPU milliseconds per request of each process between ``before`` and ``after``."""
    pairs = zip(before, after, strict=True)
    return tuple((end - start) * 1000 / len(requests) for start, end in pairs)


def _cpu_text(cpu: tuple[float, ...]) -> str:
    serve, worker, database = cpu
    text = f"serve {serve:.2f} ms, worker {worker:.2f} ms"
    return text + (f", PostgreSQL {database:.2f} ms" if database else "")


async def _reference(
    port: int, pems: list[str], paths: tuple[str, ...], runs: dict[str, list[bytes]]
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with Server(reference_app, (port, pems, paths), port) as server:
        for name, requests in runs.items():
            before = server.cpu_seconds()
            result = await closed_loop(port, requests)
            figures[name] = (result, (server.cpu_seconds() - before) * 1000 / len(requests))
    return figures


def _show(label: str, result: Result) -> None:
    p50, p99 = result.percentile(50), result.percentile(99)
    row(label, f"{result.rate:.0f}", f"{p50:.1f}", f"{p99:.1f}", statuses(result))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--requests", type=int, default=4000, help="requests per inbox run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the 1,000/s run")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the worker into FILE")
    args = parser.parse_args()
    pin(CLIENT_CPU)
    rng = random.Random(4)
    port = free_port()
    keys, pems = key_pairs()
    bad: set[bytes] = set()
    async with Database(args.postgres) as db:
        group_inbox = await make_group(db.url, f"http://127.0.0.1:{port}")
        await store_actors(db.url, pems)
        warmup = warmup_requests(port, keys)
        runs = {
            "group inbox": workload(port, args.requests, 0, keys, rng, bad, group_inbox),
            "shared inbox": workload(port, args.requests, args.requests, keys, rng, bad),
        }
        paced = workload(port, int(RATE * args.seconds), 2 * args.requests, keys, rng, bad)
        print(f"inbox ingest, production path: {args.requests} POSTs to each inbox, {db.kind}")
        reference = await _reference(port, pems, ("/inbox", group_inbox), runs)
        ours = await _ours(db, port, warmup, runs, paced, args.profile)
    row("", "req/s", "p50 ms", "p99 ms", "statuses")
    for name in runs:
        _show(f"reference, {name}", reference[name][0])
        _show(f"mutuals serve, {name}", ours[name][0])
    _show(f"mutuals serve, open loop {RATE:.0f}/s", ours["paced"])
    for name in runs:
        result, drain, cpu = ours[name]
        ref_result, ref_cpu = reference[name]
        drained = f"{drain:.2f} s" if drain is not None else f"> {DRAIN_LIMIT:.0f} s"
        print(
            f"{name}: ratio {result.rate / ref_result.rate:.2f}x (goal >= 0.5x); drained "
            f"{drained} after the last answer (goal <= 2 s); CPU per request: "
            f"{_cpu_text(cpu)}, reference {ref_cpu:.2f} ms"
        )
    paced_drain = ours["paced drain"]
    drained = f"{paced_drain:.2f} s" if paced_drain is not None else f"> {DRAIN_LIMIT:.0f} s"
    p99 = ours["paced"].percentile(99)
    print(f"open loop {RATE:.0f}/s: p99 {p99:.1f} ms (goal < 25 ms), drained {drained} after")
    cpu, seconds = ours["paced cpu"]
    cores = sum(cpu) * len(paced) / 1000 / seconds
    print(
        f"open loop {RATE:.0f}/s, CPU per request while it ran: {_cpu_text(cpu)}; "
        f"{cores:.2f} of the machine's {os.cpu_count()} cores busy with them"
    )


if __name__ == "__main__":
    asyncio.run(main())
