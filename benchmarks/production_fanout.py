"""Benchmark, production path: one post to 10,000 followers on 1,000 hosts, as operators run it.

``mutuals worker`` runs as its own process (as systemd or compose start it) and
``mutuals post`` publishes, as an organizer would; the sink of ``benchmarks.fanout``
plays the 1,000 hosts and records when each inbox has the post. The reference is the
physical limit of one core: a loop on asyncio streams that signs each of the same
1,900 requests with ``federation.httpsig`` and writes it on a keep-alive connection
per host, no HTTP library at all.

Printed: the span from the ``post`` command's start to the last healthy inbox, the
ratio to the reference, the CPU time of each process per delivery (the worker, the
``post`` command, and on PostgreSQL the database server's processes together).

    .venv/bin/python -m benchmarks.production_fanout [--postgres URL] [--runs N] [--faults]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actors.keys import load_private_key
from benchmarks.common import CLIENT_CPU, SECRET, SERVER_CPU, SPAWN, Database, pin
from benchmarks.fanout import BASE, DEADLINE, HOSTS, TEXT, Key, Plan, Sink, address, setup
from federation.httpsig import sign_request

MUTUALS = str(Path(sys.executable).parent / "mutuals")
TICKS = os.sysconf("SC_CLK_TCK")
CONCURRENCY = 64
"""Hosts the reference sends to at once (each over one keep-alive connection)."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu() -> float:
    """CPU time of every running ``postgres`` process (the server and its backends)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def environment(database_url: str) -> dict[str, str]:
    """What ``mutuals`` reads: the instance of ``benchmarks.fanout``, in development mode
    (its followers are on loopback addresses), logging warnings only."""
    return os.environ | {
        "MUTUALS_DATABASE_URL": database_url,
        "MUTUALS_BASE_URL": BASE,
        "MUTUALS_SECRET_KEY": SECRET,
        "MUTUALS_DEV": "1",
        "MUTUALS_LOG_LEVEL": "WARNING",
    }


def _on_client_core() -> None:
    pin(CLIENT_CPU)


@dataclass
class Figures:
    """One run: span in seconds from the start (None past the deadline), CPU seconds."""

    span: float | None
    first: float | None
    """When the first inbox had it."""
    delivered: int
    expected: int
    duplicates: int
    bad_signatures: int
    cpu: dict[str, float]


async def _until_all(sink: Sink, healthy: set[tuple[int, str]], start: float) -> float | None:
    while not healthy <= sink.arrived.keys():
        if time.monotonic() - start > DEADLINE:
            return None
        await asyncio.sleep(0.005)
    return max(sink.arrived[k] for k in healthy) - start


async def ours(
    database_url: str, plan: Plan, key: Key, postgres: bool, profile: str | None = None
) -> Figures:
    """``mutuals worker`` running (under cProfile into ``profile``, when given), then
    ``mutuals post``; until every inbox has it."""
    env = environment(database_url)
    healthy = plan.healthy()
    command = [MUTUALS, "worker"]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", profile, *command]
    async with Sink(plan, key[2]) as sink:
        worker = await asyncio.create_subprocess_exec(
            *command, env=env, preexec_fn=_on_client_core, stderr=subprocess.DEVNULL
        )
        try:
            await asyncio.sleep(3.0)  # started, listening, its first idle steps done
            worker_before, db_before = cpu_seconds(worker.pid), postgres_cpu()
            start = time.monotonic()
            post = await asyncio.create_subprocess_exec(
                MUTUALS, "post", "bench", TEXT, env=env, preexec_fn=_on_client_core,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            post_cpu = await _child_cpu(post)
            span = await _until_all(sink, healthy, start)
            cpu = {
                "worker": cpu_seconds(worker.pid) - worker_before,
                "post command": post_cpu,
            }
            if postgres:
                cpu["PostgreSQL"] = postgres_cpu() - db_before
        finally:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), 30)
            sink.release.set()
        return _figures(sink, healthy, start, span, cpu)


async def _child_cpu(process: asyncio.subprocess.Process) -> float:
    """Wait for ``process``; the CPU time it used (children's rusage, before and after)."""
    before = os.times()
    await process.wait()
    after = os.times()
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def _figures(
    sink: Sink,
    healthy: set[tuple[int, str]],
    start: float,
    span: float | None,
    cpu: dict[str, float],
) -> Figures:
    delivered = sum(1 for k in healthy if k in sink.arrived)
    first = min(sink.arrived.values()) - start if sink.arrived else None
    return Figures(span, first, delivered, len(healthy), sink.duplicates, sink.bad_signatures, cpu)


def stream_sender(plan: Plan, key: Key, ready: Any, go: Any, out: Any) -> None:
    """The reference, in a child process on the client core: sign and write every request
    on one keep-alive connection per host, `CONCURRENCY` hosts at a time."""
    pin(CLIENT_CPU)
    key_id, private = key[0], load_private_key(key[1])
    body = (b'{"type":"Create","object":{"content":"%s"}}' % TEXT.encode()).ljust(1500)
    by_host: dict[int, list[str]] = defaultdict(list)
    for host, path in plan.inboxes():
        by_host[host].append(path)

    async def send(host: int, paths: list[str]) -> None:
        authority = f"{address(host)}:{plan.port}"
        reader, writer = await asyncio.open_connection(address(host), plan.port)
        try:
            for path in paths:
                headers = {"Host": authority, "Content-Type": "application/activity+json"}
                url = f"http://{authority}{path}"
                headers |= sign_request(
                    "POST", url, headers, body, key_id=key_id, private_key=private
                )
                head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
                writer.write(
                    f"POST {path} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                answer = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in answer.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")), 0,
                )  # fmt: skip
                await reader.readexactly(length)
        finally:
            writer.close()

    async def run() -> None:
        hosts = list(by_host.items())
        ready.set()
        await asyncio.to_thread(go.wait)
        started = time.process_time()

        async def lane() -> None:
            while hosts:
                host, paths = hosts.pop()
                await send(host, paths)

        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        out.put(time.process_time() - started)

    asyncio.run(run())


async def reference(plan: Plan, key: Key) -> Figures:
    """The bare stream sender, timed from the moment it is told to go."""
    healthy = plan.healthy()
    async with Sink(plan, key[2]) as sink:
        ready, go, out = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        process = SPAWN.Process(target=stream_sender, args=(plan, key, ready, go, out))
        process.start()
        await asyncio.to_thread(ready.wait, 60)
        start = time.monotonic()
        go.set()
        span = await _until_all(sink, healthy, start)
        cpu = {"sender": await asyncio.to_thread(out.get, True, 60)}
        await asyncio.to_thread(process.join, 30)
        return _figures(sink, healthy, start, span, cpu)


def show(label: str, figures: Figures) -> None:
    span = f"{figures.span:.2f} s" if figures.span is not None else f"> {DEADLINE:.0f} s"
    per = ", ".join(
        f"{name} {seconds / max(figures.delivered, 1) * 1000:.2f} ms"
        for name, seconds in figures.cpu.items()
    )
    first = f"{figures.first:.2f} s" if figures.first is not None else "never"
    print(
        f"{label:<34} {span:>9} (first at {first})  "
        f"{figures.delivered}/{figures.expected} delivered, "
        f"{figures.duplicates} twice, {figures.bad_signatures} bad signatures; "
        f"CPU per delivery: {per}",
        flush=True,
    )


async def _with_faults(db: Database, plan: Plan, key: Key, clean: Figures) -> None:
    """Ours again on a new post, with faulty hosts; healthy hosts' time against ``clean``."""
    faulty = plan.with_faults()
    kinds = sorted(faulty.faults.values())
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
    real = await ours(db.url, faulty, key, db.kind == "PostgreSQL")
    show(f"ours, faults ({counts})", real)
    if clean.span and real.span:
        print(f"healthy hosts, faults/no faults: {real.span / clean.span:.2f}x (goal <= 1.25x)")
    else:
        print(f"healthy hosts did not all have the post within {DEADLINE:.0f} s (goal <= 1.25x)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--runs", type=int, default=1, help="pairs of runs (each on a new post)")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the worker into FILE")
    parser.add_argument(
        "--faults",
        action="store_true",
        help="then once more with 5 %% of hosts answering 503, 5 %% refusing, 2 %% hanging",
    )
    args = parser.parse_args()
    db, plan, key = await setup(args.postgres)
    pin(SERVER_CPU)
    try:
        print(f"fan-out, production path: {len(plan.inboxes())} deliveries to {HOSTS} hosts, "
              f"{db.kind}")  # fmt: skip
        for _ in range(args.runs):
            bare = await reference(plan, key)
            show("reference (asyncio streams + httpsig)", bare)
            real = await ours(db.url, plan, key, args.postgres is not None, args.profile)
            show("ours (mutuals worker + mutuals post)", real)
            if bare.span and real.span:
                print(f"ratio ours/reference: {bare.span / real.span:.2f}x (goal >= 0.7x)")
        if args.faults:
            await _with_faults(db, plan, key, real)
    finally:
        await Database.__aexit__(db)


if __name__ == "__main__":
    asyncio.run(main())
