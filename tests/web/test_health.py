"""``/healthz`` and ``/readyz``: database, schema and worker heartbeats, on both engines."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from store.db import utcnow
from store.heartbeats import Heartbeats, WorkerHeartbeat, record
from tests.conftest import InstanceFactory
from tests.instances import Instance, start_instance
from tests.queues.support import wait_for
from web.migrate import alembic_config
from web.workers import LOOPS

HEARTBEAT_NAMES = ["delivery", "fanout", "inbox", "sharing"]


async def _get(instance: Instance, path: str) -> httpx.Response:
    async with instance.client() as client:
        return await client.get(path)


def _downgrade_one(database_url: str) -> None:
    """Take the newest migration (0007) back off ``database_url``."""
    command.downgrade(alembic_config(database_url), "0007-1")


@pytest.fixture
async def old_instance(database_url: str) -> AsyncIterator[Instance]:
    """An instance serving a database one migration behind."""
    await asyncio.to_thread(_downgrade_one, database_url)
    instance = await start_instance(database_url, {})
    yield instance
    await instance.stop()


async def test_healthz_answers_ok(instance: Instance) -> None:
    response = await _get(instance, "/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")
    assert response.headers["cache-control"] == "no-store"


async def test_ready_once_the_workers_have_stepped(instance: Instance) -> None:
    # Given an instance whose workers have never run
    response = await _get(instance, "/readyz")
    assert response.status_code == 503
    assert response.text.splitlines() == [
        "workers: no worker seen in the last 60 s: run `mutuals worker` (or MUTUALS_RUN_WORKERS=1)"
    ]

    # When they step once, every loop records its heartbeat
    await instance.step()
    async with instance.ctx.sessions() as session:
        names = (await session.execute(select(WorkerHeartbeat.name))).scalars().all()
    assert sorted(names) == HEARTBEAT_NAMES == sorted(LOOPS)

    # Then the instance is ready
    response = await _get(instance, "/readyz")
    assert (response.status_code, response.text) == (200, "ready\n")


async def test_ready_with_workers_running_in_the_web_process(
    make_instance: InstanceFactory,
) -> None:
    instance = await make_instance(run_workers=True)

    async def ready() -> bool:
        return (await _get(instance, "/readyz")).status_code == 200

    # The running loops (the delivery loop included) record heartbeats by themselves.
    await wait_for(ready, timeout=30)
    async with instance.ctx.sessions() as session:
        names = (await session.execute(select(WorkerHeartbeat.name))).scalars().all()
    assert sorted(names) == HEARTBEAT_NAMES


async def test_stale_heartbeats_are_not_a_worker(instance: Instance) -> None:
    # Given every loop was last seen two minutes ago, but delivery just now
    long_ago = utcnow() - dt.timedelta(minutes=2)
    async with instance.ctx.sessions() as session:
        for name in LOOPS:
            await record(session, name, "elsewhere:1", at=long_ago)
        await session.commit()
    response = await _get(instance, "/readyz")
    assert response.status_code == 503
    assert response.text.startswith("workers: no worker seen in the last 60 s")

    async with instance.ctx.sessions() as session:
        await record(session, "delivery", "elsewhere:1")
        await session.commit()
    response = await _get(instance, "/readyz")

    # Then the stale loops are named, with when they were last seen
    assert response.status_code == 503
    stamp = long_ago.isoformat(timespec="seconds")
    assert response.text == (
        f"workers: no heartbeat in the last 60 s from inbox (last {stamp}), "
        f"fanout (last {stamp}), sharing (last {stamp})\n"
    )


async def test_a_missing_migration_is_named(old_instance: Instance) -> None:
    # Workers still work; their heartbeat, which has no table yet, fails quietly.
    await old_instance.step()

    response = await _get(old_instance, "/readyz")

    assert response.status_code == 503
    schema, workers = response.text.splitlines()
    assert schema.startswith("schema: database at ")
    assert "0006" in schema
    assert schema.endswith("code expects 0002_moderation, 0007, 0025: run `mutuals migrate`")
    assert workers.startswith("workers: cannot read heartbeats (")


async def test_an_unreachable_database_is_named(instance: Instance) -> None:
    # Given the database goes away under the running instance
    engine: AsyncEngine = instance.ctx.sessions.kw["bind"]
    await engine.dispose()
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or "")
        path.unlink()
        path.mkdir()  # a folder where the file was: SQLite cannot open it
    else:
        database = engine.url.database
        admin_url = engine.url.set(drivername="postgresql", database="postgres")
        admin = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
        try:
            await admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        finally:
            await admin.close()

    response = await _get(instance, "/readyz")

    assert response.status_code == 503
    assert response.text.startswith("database: unreachable (")
    assert response.text.count("\n") == 1
    assert (await _get(instance, "/healthz")).status_code == 200
    if engine.dialect.name == "sqlite":
        shutil.rmtree(engine.url.database or "")


async def test_heartbeats_are_written_at_most_once_a_period(instance: Instance) -> None:
    now = [100.0]
    heartbeats = Heartbeats(every=15, clock=lambda: now[0])

    async def worker() -> str:
        async with instance.ctx.sessions() as session:
            row = await session.get(WorkerHeartbeat, "inbox")
            return row.worker if row else ""

    heartbeats.worker = "first:1"
    await heartbeats.beat(instance.ctx.sessions, "inbox")
    assert await worker() == "first:1"

    heartbeats.worker = "second:2"
    now[0] += 14
    await heartbeats.beat(instance.ctx.sessions, "inbox")
    assert await worker() == "first:1"  # too soon: not written

    now[0] += 1
    await heartbeats.beat(instance.ctx.sessions, "inbox")
    assert await worker() == "second:2"
