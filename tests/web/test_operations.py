"""Running the ``mutuals`` command on a real database: schema checks, paths, odd URLs."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from store.db import make_engine
from tests.conftest import TEST_DATABASE, _pg_dsn, _with_database
from web.cli import main
from web.migrate import alembic_config, ensure_sqlite_dir
from web.settings import describe_database

MIGRATE = "run `mutuals migrate` first"


async def _pg_admin(*statements: str) -> None:
    conn = await asyncpg.connect(_pg_dsn(TEST_DATABASE))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database nobody migrated: a missing SQLite file, or an empty PostgreSQL database."""
    if TEST_DATABASE == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'mutuals.db'}"
        return
    name = f"mutuals_e_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    yield _with_database(TEST_DATABASE, name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Mutuals:
    """Runs ``mutuals …`` in this process on one database: ``mutuals(*argv)``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        monkeypatch.setenv("MUTUALS_DEV", "1")
        monkeypatch.setenv("MUTUALS_BASE_URL", "http://127.0.0.1:8123")
        monkeypatch.delenv("MUTUALS_DATA_DIR", raising=False)
        monkeypatch.delenv("MUTUALS_DATABASE_URL", raising=False)

    def use(self, database_url: str) -> None:
        self.monkeypatch.setenv("MUTUALS_DATABASE_URL", database_url)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def ok(self, *argv: str) -> str:
        code, out, err = self(*argv)
        assert (code, err) == (0, ""), err
        return out

    def fails(self, *argv: str) -> str:
        """Run a command that must fail with one line on stderr; that line."""
        code, out, err = self(*argv)
        assert code == 1 and out == "" and len(err.splitlines()) == 1, (code, out, err)
        return err.strip()


@pytest.fixture
def mutuals(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Mutuals:
    return Mutuals(monkeypatch, capsys)


def test_commands_on_an_unmigrated_database_say_to_migrate(
    mutuals: Mutuals, empty_database_url: str
) -> None:
    mutuals.use(empty_database_url)
    where = describe_database(empty_database_url)
    for argv in (["group", "list"], ["queue"], ["group", "create", "eastside"]):
        assert mutuals.fails(*argv) == f"error: the database {where} has no schema: {MIGRATE}"
    if TEST_DATABASE == "sqlite":
        assert not Path(where).exists()  # the check created no empty database

    mutuals.ok("migrate")
    mutuals.ok("group", "create", "eastside")
    assert "eastside" in mutuals.ok("group", "list")


def test_commands_on_an_older_schema_say_to_migrate(
    mutuals: Mutuals, empty_database_url: str
) -> None:
    ensure_sqlite_dir(empty_database_url)
    command.upgrade(alembic_config(empty_database_url), "0001")
    mutuals.use(empty_database_url)
    assert mutuals.fails("group", "list") == (
        f"error: the database {describe_database(empty_database_url)} "
        f"has a schema older than this version of Mutuals: {MIGRATE}"
    )
    mutuals.ok("migrate")
    assert mutuals.ok("group", "list") != ""


async def _stamp(database_url: str, revision: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
    finally:
        await engine.dispose()


def test_a_schema_from_a_newer_version_is_refused_even_by_migrate(
    mutuals: Mutuals, empty_database_url: str
) -> None:
    mutuals.use(empty_database_url)
    mutuals.ok("migrate")
    asyncio.run(_stamp(empty_database_url, "9999_future"))
    expected = (
        f"error: the database {describe_database(empty_database_url)} has schema revision "
        "9999_future, newer than this version of Mutuals knows: upgrade Mutuals"
    )
    assert mutuals.fails("group", "list") == expected
    assert mutuals.fails("migrate") == expected


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_command(database_url: str, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """A real ``mutuals`` process; killed (and the test failed) if it does not end by itself."""
    env = {**os.environ, "MUTUALS_DEV": "1", "MUTUALS_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_serve_and_worker_refuse_to_start_without_the_schema(
    empty_database_url: str, tmp_path: Path
) -> None:
    where = describe_database(empty_database_url)
    for argv in (["serve", "--port", str(_free_port())], ["worker"]):
        done = _run_command(empty_database_url, tmp_path, *argv)
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == f"error: the database {where} has no schema: {MIGRATE}\n"

    ensure_sqlite_dir(empty_database_url)
    command.upgrade(alembic_config(empty_database_url), "0001")
    done = _run_command(empty_database_url, tmp_path, "worker")
    assert done.returncode == 1
    assert done.stderr == (
        f"error: the database {where} has a schema older than this version of Mutuals: {MIGRATE}\n"
    )


def test_an_unreachable_database_is_named_without_its_password(mutuals: Mutuals) -> None:
    mutuals.use("postgresql+asyncpg://postgres:s3cret%40pw@127.0.0.1:1/none")
    error = mutuals.fails("group", "list")
    assert error.startswith(
        "error: cannot reach the database postgresql+asyncpg://postgres:***@127.0.0.1:1/none: "
    )
    assert "s3cret" not in error
    assert error.endswith("check MUTUALS_DATABASE_URL and that the database server is running")


def test_the_default_database_is_found_from_any_directory_through_the_data_dir(
    mutuals: Mutuals, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the default database, migrated from the project folder
    project, elsewhere = tmp_path / "project", tmp_path / "project" / "deploy"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(project)
    mutuals.ok("migrate")
    mutuals.ok("group", "create", "eastside")
    assert (project / "var" / "mutuals.db").is_file()

    # When run from elsewhere, the error names the absolute path it looked at
    monkeypatch.chdir(elsewhere)
    missing = elsewhere / "var" / "mutuals.db"
    assert (
        mutuals.fails("group", "list") == f"error: the database {missing} has no schema: {MIGRATE}"
    )
    assert not missing.exists()

    # Then MUTUALS_DATA_DIR points it at the real one
    monkeypatch.setenv("MUTUALS_DATA_DIR", "../var")
    assert "eastside" in mutuals.ok("group", "list")


@pytest.fixture
def percent_database_url(tmp_path: Path) -> Iterator[str]:
    """A database whose URL holds ``%``: in an SQLite path, or a PostgreSQL password."""
    if TEST_DATABASE == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / '100%done' / 'mutuals.db'}"
        return
    suffix = uuid.uuid4().hex[:12]
    role, database = f"mutuals_r_{suffix}", f"mutuals_p_{suffix}"
    password = "p@ss%w0rd"
    asyncio.run(
        _pg_admin(
            f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'",
            f'CREATE DATABASE "{database}" OWNER "{role}"',
        )
    )
    url = make_url(TEST_DATABASE).set(username=role, password=password, database=database)
    yield url.render_as_string(hide_password=False)
    asyncio.run(
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'DROP ROLE "{role}"')
    )


def test_migrate_takes_a_url_with_percent_signs(
    mutuals: Mutuals, percent_database_url: str
) -> None:
    assert "%" in percent_database_url
    config = alembic_config(percent_database_url)
    assert config.get_main_option("sqlalchemy.url") == percent_database_url
    mutuals.use(percent_database_url)
    assert mutuals.ok("migrate") == "database is up to date\n"
    mutuals.ok("group", "create", "eastside")
    assert "eastside" in mutuals.ok("group", "list")
