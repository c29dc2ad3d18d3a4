"""``actors.short_writes.ShortWrites``: a whole transaction in one step, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, insert, select

from actors.models import InstanceKey
from actors.short_writes import ShortWrites
from tests.instances import Instance


def _add_key(conn: Connection, pem: str) -> int:
    conn.execute(insert(InstanceKey).values(private_key_pem=pem, public_key_pem=pem))
    return int(conn.execute(select(func.count()).select_from(InstanceKey)).scalar_one())


def _add_key_then_fail(conn: Connection, pem: str) -> None:
    _add_key(conn, pem)
    raise RuntimeError("the work failed")


async def _pems(instance: Instance) -> set[str]:
    async with instance.ctx.sessions() as session:
        return set((await session.execute(select(InstanceKey.private_key_pem))).scalars())


async def test_work_is_committed_and_a_failure_rolled_back(instance: Instance) -> None:
    engine = instance.ctx.sessions.kw["bind"]
    writes = ShortWrites(engine)
    before = await _pems(instance)
    try:
        assert await writes.run(_add_key, "one") == len(before) + 1  # sees its own insert

        with pytest.raises(RuntimeError, match="the work failed"):
            await writes.run(_add_key_then_fail, "lost")

        assert await writes.run(_add_key, "two") == len(before) + 2  # still usable after
    finally:
        await writes.close()
    assert await _pems(instance) == before | {"one", "two"}
