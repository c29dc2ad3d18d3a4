"""Fixtures: fresh migrated databases (SQLite or PostgreSQL) and real instances on loopback.

``MUTUALS_TEST_DATABASE`` picks the engine: ``sqlite`` (default) or a PostgreSQL
URL such as ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``. With PostgreSQL,
every instance gets its own database cloned from a migrated template.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.instances import Instance, start_instance
from tests.sharing.network import Cli
from web.migrate import upgrade

TEST_DATABASE = os.environ.get("MUTUALS_TEST_DATABASE", "sqlite")


def _pg_dsn(url: str, database: str | None = None) -> str:
    """asyncpg's DSN for a SQLAlchemy URL, optionally naming another database."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    if database is not None:
        dsn = dsn.rsplit("/", 1)[0] + "/" + database
    return dsn


def _with_database(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


class Databases:
    """Hands out fresh, migrated databases: copies of one template made per test run."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self.template = f"mutuals_tpl_{uuid.uuid4().hex[:10]}"

    @property
    def is_sqlite(self) -> bool:
        return TEST_DATABASE == "sqlite"

    def prepare(self) -> None:
        if self.is_sqlite:
            asyncio.run(upgrade(f"sqlite+aiosqlite:///{self.tmp / 'template.db'}"))
            return

        async def create() -> None:
            conn = await asyncpg.connect(_pg_dsn(TEST_DATABASE))
            try:
                await conn.execute(f'CREATE DATABASE "{self.template}"')
            finally:
                await conn.close()
            await upgrade(_with_database(TEST_DATABASE, self.template))

        asyncio.run(create())

    async def new(self) -> str:
        name = f"mutuals_t_{uuid.uuid4().hex[:12]}"
        if self.is_sqlite:
            path = self.tmp / f"{name}.db"
            shutil.copyfile(self.tmp / "template.db", path)
            return f"sqlite+aiosqlite:///{path}"
        conn = await asyncpg.connect(_pg_dsn(TEST_DATABASE))
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await conn.close()
        self.created.append(name)
        return _with_database(TEST_DATABASE, name)

    def drop_all(self) -> None:
        if self.is_sqlite:
            return

        async def drop() -> None:
            conn = await asyncpg.connect(_pg_dsn(TEST_DATABASE))
            try:
                for name in [*self.created, self.template]:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """The per-run database factory."""
    dbs = Databases(tmp_path_factory.mktemp("db"))
    dbs.prepare()
    yield dbs
    dbs.drop_all()


@pytest.fixture
async def database_url(databases: Databases) -> str:
    """A fresh migrated database for one test."""
    return await databases.new()


InstanceFactory = Callable[..., Awaitable[Instance]]


@pytest.fixture
async def make_instance(databases: Databases) -> AsyncIterator[InstanceFactory]:
    """Start real instances on loopback ports, each with its own database; stop them after."""
    started: list[Instance] = []

    async def make(**overrides: str) -> Instance:
        instance = await start_instance(await databases.new(), overrides)
        started.append(instance)
        return instance

    yield make
    for instance in reversed(started):
        await instance.stop()


@pytest.fixture
async def instance(make_instance: InstanceFactory) -> Instance:
    """One running instance."""
    return await make_instance()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The ``mutuals`` command line, run in this process against an instance's database."""
    return Cli(monkeypatch, capsys)
