"""``mutuals serve`` and two ``mutuals worker`` started at once on an empty database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from actors.models import InstanceKey
from store.db import make_engine
from tests.queues.support import stop_worker, wait_for


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "web.cli", *command],
            cwd=log.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_web_and_workers_starting_together_use_one_key(
    database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MUTUALS_DEV": "1",
        "MUTUALS_BASE_URL": base_url,
        "MUTUALS_DATABASE_URL": database_url,
        "MUTUALS_RUN_WORKERS": "0",  # the web process's readiness must come from the workers
    }
    logs = [tmp_path / name for name in ("web.log", "worker1.log", "worker2.log")]

    # Given a migrated database with no instance key, when web and two workers start at once
    processes = [
        _start(["serve", "--port", str(port)], env, logs[0]),
        _start(["worker"], env, logs[1]),
        _start(["worker"], env, logs[2]),
    ]
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:

            async def ready() -> bool:
                for process, log in zip(processes, logs, strict=True):
                    assert process.poll() is None, log.read_text()
                try:
                    response = await client.get("/readyz")
                except httpx.TransportError:
                    return False
                started = all("worker running" in log.read_text() for log in logs[1:])
                return response.status_code == 200 and started

            await wait_for(ready, timeout=60)
            actor = (
                await client.get("/actor", headers={"Accept": "application/activity+json"})
            ).json()
    finally:
        codes = [await stop_worker(process) for process in processes]

    # Then the database holds one key, the one /actor publishes, and all stopped cleanly
    engine = make_engine(database_url)  # no context: opening one would create a key
    try:
        async with engine.connect() as conn:
            keys = (await conn.execute(select(InstanceKey.id, InstanceKey.public_key_pem))).all()
    finally:
        await engine.dispose()
    assert [tuple(key) for key in keys] == [(1, actor["publicKey"]["publicKeyPem"])]
    # Uvicorn re-raises the SIGTERM it handled once it has shut down cleanly.
    assert codes[0] in {0, -signal.SIGTERM}, logs[0].read_text()
    assert "Application shutdown complete" in logs[0].read_text()
    assert codes[1:] == [0, 0], "\n".join(log.read_text() for log in logs[1:])
