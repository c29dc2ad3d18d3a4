"""``store.short_writes.ShortWrites``: a whole transaction in one step, on both engines."""

from __future__ import annotations

import os

import asyncpg
import pytest
from sqlalchemy import Connection, func, insert, select

from store.db import utcnow
from store.heartbeats import WorkerHeartbeat
from store.short_writes import ShortWrites
from tests.instances import Instance


# Any small table does; worker heartbeats are store's own (one row a name).
def _add_row(conn: Connection, name: str) -> int:
    conn.execute(insert(WorkerHeartbeat).values(name=name, worker=name, seen_at=utcnow()))
    return int(conn.execute(select(func.count()).select_from(WorkerHeartbeat)).scalar_one())


def _add_row_then_fail(conn: Connection, name: str) -> None:
    _add_row(conn, name)
    raise RuntimeError("the work failed")


async def _names(instance: Instance) -> set[str]:
    async with instance.ctx.sessions() as session:
        return set((await session.execute(select(WorkerHeartbeat.name))).scalars())


async def test_work_is_committed_and_a_failure_rolled_back(instance: Instance) -> None:
    engine = instance.ctx.sessions.kw["bind"]
    writes = ShortWrites(engine)
    before = await _names(instance)
    try:
        assert await writes.run(_add_row, "one") == len(before) + 1  # sees its own insert

        with pytest.raises(RuntimeError, match="the work failed"):
            await writes.run(_add_row_then_fail, "lost")

        assert await writes.run(_add_row, "two") == len(before) + 2  # still usable after
    finally:
        await writes.close()
    assert await _names(instance) == before | {"one", "two"}


def _synchronous(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return str(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())
    return str(conn.exec_driver_sql("SHOW synchronous_commit").scalar_one())


async def test_commits_are_synced_to_disk(instance: Instance) -> None:
    writes = ShortWrites(instance.ctx.sessions.kw["bind"])
    try:
        # SQLite's FULL is 2 (the engine's other connections use NORMAL, 1).
        assert await writes.run(_synchronous) in {"2", "on"}
    finally:
        await writes.close()


@pytest.mark.skipif(
    not os.environ.get("MUTUALS_TEST_DATABASE", "sqlite").startswith("postgresql"),
    reason="a connection lost under it: PostgreSQL only (SQLite's is a local file)",
)
async def test_a_lost_connection_is_replaced(instance: Instance) -> None:
    engine = instance.ctx.sessions.kw["bind"]
    writes = ShortWrites(engine)
    try:
        await writes.run(_add_row, "before")
        admin = await asyncpg.connect(
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
        try:
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
        assert ended >= 1

        await writes.run(_add_row, "after")
    finally:
        await writes.close()
    assert {"before", "after"} <= await _names(instance)
