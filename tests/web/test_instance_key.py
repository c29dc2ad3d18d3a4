"""The instance actor's key: created once, whoever starts first, on both engines."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from actors.models import InstanceKey
from store.db import make_engine
from tests.queues.support import context
from web.migrate import alembic_config

STARTERS = 8
ROUNDS = 3


async def _stored(database_url: str) -> list[tuple[int, str, str]]:
    async with context(database_url) as ctx, ctx.sessions() as session:
        rows = (await session.execute(select(InstanceKey).order_by(InstanceKey.id))).scalars()
        return [(row.id, row.private_key_pem, row.public_key_pem) for row in rows]


async def test_instances_starting_at_once_share_one_key(database_url: str) -> None:
    async def start() -> tuple[str, str]:
        async with context(database_url) as ctx:
            return ctx.instance_private_pem, ctx.instance_public_pem

    # Several rounds: whether starters overlap is up to the scheduler, one round may not.
    for _ in range(ROUNDS):
        # Given a migrated database holding no instance key
        async with context(database_url) as ctx, ctx.sessions() as session:
            await session.execute(delete(InstanceKey))
            await session.commit()

        # When several instances open it at the same time
        pairs = await asyncio.gather(*(start() for _ in range(STARTERS)))

        # Then they all hold the one key the database keeps
        assert await _stored(database_url) == [(1, *pairs[0])]
        assert set(pairs) == {pairs[0]}


async def test_the_database_refuses_a_second_key(database_url: str) -> None:
    async with context(database_url) as ctx:
        for values in ({"id": 2}, {}):
            async with ctx.sessions() as session:
                row = {"private_key_pem": "x", "public_key_pem": "x", **values}
                with pytest.raises(IntegrityError):
                    await session.execute(insert(InstanceKey).values(row))
                    await session.commit()
    assert len(await _stored(database_url)) == 1


def _migrate(database_url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(database_url)
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


async def test_the_migration_keeps_the_key_that_was_published(database_url: str) -> None:
    # Given a database from before 0007 where three starters each made a key
    await asyncio.to_thread(_migrate, database_url, "0007-1", down=True)
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            for row_id, pem in ((4, "first"), (7, "second"), (9, "third")):
                row = {"id": row_id, "private_key_pem": pem, "public_key_pem": pem}
                await conn.execute(insert(InstanceKey).values(row))
    finally:
        await engine.dispose()
    # The lowest id is the key in use until the migration (the one /actor shows).
    async with context(database_url) as ctx:
        assert ctx.instance_private_pem == "first"

    # When it is migrated
    await asyncio.to_thread(_migrate, database_url, "heads")

    # Then that key alone remains, as row 1, and every process keeps using it
    assert await _stored(database_url) == [(1, "first", "first")]
    async with context(database_url) as ctx:
        assert ctx.instance_private_pem == "first"
