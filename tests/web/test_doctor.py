"""``mutuals doctor`` against real instances on loopback, healthy and with planted faults."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from store.db import make_engine
from tests.conftest import InstanceFactory
from tests.federation.loopback_http import LoopbackServer, Reply, self_signed
from tests.helpers import add_group
from tests.instances import Instance, start_instance
from tests.sharing.network import Cli
from web.cli import main
from web.doctor import clock_result
from web.migrate import alembic_config
from web.schema import head_revisions

Capture = pytest.CaptureFixture[str]

pytestmark = pytest.mark.usefixtures("no_dotenv")
DB_CHECKS = ["base URL", "database", "schema", "workers"]


@pytest.fixture
def no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder without a ``.env``, so only the test's environment counts."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def old_instance(database_url: str) -> AsyncIterator[Instance]:
    """An instance serving a database one migration behind (as in test_health)."""
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0007-1")
    instance = await start_instance(database_url, {})
    yield instance
    await instance.stop()


def _lines(out: str) -> dict[str, str]:
    """Each check's line (with its fix line, if any) by check name."""
    checks: dict[str, str] = {}
    name = ""
    for line in out.splitlines():
        if line.startswith("    fix: "):
            checks[name] += "\n" + line
        elif line[:2] in {"✓ ", "✗ ", "- "}:
            name = line[2:].split(":", 1)[0]
            checks[name] = line
    return checks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_a_healthy_instance_passes_every_check(instance: Instance, cli: Cli) -> None:
    # Given a group, and workers that stepped
    group = await add_group(instance, "eastside")
    await instance.step()

    out = await cli.ok(instance, "doctor")

    checks = _lines(out)
    assert list(checks) == [*DB_CHECKS, "webfinger", "actor", "TLS", "clock"]
    assert all(line.startswith(("✓", "- TLS")) for line in checks.values()), out
    actor_id = instance.ctx.urls.group(group.uid)
    assert checks["webfinger"] == f"✓ webfinger: acct:eastside@{instance.host} → {actor_id}"
    assert checks["actor"] == f"✓ actor: {actor_id} answers with its id"
    assert out.endswith("all checks passed\n")


async def test_without_a_group_the_instance_actor_is_checked(instance: Instance, cli: Cli) -> None:
    await instance.step()

    checks = _lines(await cli.ok(instance, "doctor"))

    assert checks["actor"] == f"✓ actor: {instance.base_url}/actor answers with its id"


async def test_no_worker_heartbeat(instance: Instance, cli: Cli) -> None:
    code, out, _ = await cli(instance, "doctor")

    assert code == 1
    assert _lines(out)["workers"] == (
        "✗ workers: no worker seen in the last 60 s\n"
        "    fix: run `mutuals worker` (or MUTUALS_RUN_WORKERS=1); if one runs, read its log"
    )
    assert out.endswith("1 check(s) failed: workers\n")


async def test_an_outdated_schema(old_instance: Instance, cli: Cli) -> None:
    await old_instance.step()

    code, out, _ = await cli(old_instance, "doctor")

    checks = _lines(out)
    assert code == 1
    assert checks["schema"].startswith("✗ schema: database at ")
    assert "code expects 0002_moderation, 0007, 0025\n" in checks["schema"]
    assert checks["schema"].endswith("fix: run `mutuals migrate` (after `mutuals backup FILE`)")
    assert checks["workers"].startswith("✗ workers: cannot read heartbeats")
    assert checks["database"] == "✓ database: reachable"


async def test_a_base_url_where_nothing_listens(
    instance: Instance, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    await instance.step()
    nowhere = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setattr(instance, "base_url", nowhere)

    code, out, _ = await cli(instance, "doctor")

    checks = _lines(out)
    assert code == 1
    assert checks["webfinger"].startswith("✓ webfinger: no group yet")
    assert checks["actor"].startswith("✗ actor: cannot fetch: ")
    assert "fix: check that MUTUALS_BASE_URL is this instance's public address" in checks["actor"]
    assert checks["clock"] == "- clock: skipped (the public URL did not answer)"
    assert out.endswith("1 check(s) failed: actor\n")


async def test_http_outside_development_mode(
    instance: Instance, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await instance.step()
    monkeypatch.setenv("MUTUALS_DEV", "0")
    monkeypatch.setenv("MUTUALS_BASE_URL", instance.base_url)
    monkeypatch.setenv("MUTUALS_DATABASE_URL", instance.settings.database_url)

    code = await asyncio.to_thread(main, ["doctor"])

    checks = _lines(capsys.readouterr().out)
    assert code == 1
    assert checks["base URL"] == (
        f"✗ base URL: {instance.base_url} is not https:// outside development mode\n"
        "    fix: set MUTUALS_BASE_URL to the public origin, e.g. https://groups.example.org, "
        "served over TLS by your proxy (MUTUALS_DEV=1 only on your laptop)"
    )
    # The safe client refuses plain http (and loopback) outside development mode.
    assert checks["actor"].startswith("✗ actor: cannot fetch: ")
    assert checks["database"] == "✓ database: reachable"


async def test_an_untrusted_certificate(instance: Instance, cli: Cli) -> None:
    # Given the public URL is served with a certificate nobody vouches for
    await instance.step()
    server_tls, _ = self_signed("localhost")
    async with LoopbackServer(ssl_context=server_tls) as proxy:
        instance.base_url = proxy.url("", host="localhost", scheme="https")
        code, out, _ = await cli(instance, "doctor")

    checks = _lines(out)
    assert code == 1
    assert checks["actor"].startswith("✗ actor: cannot fetch: certificate verify failed")
    assert checks["actor"].endswith("fix: see the TLS line below")
    assert checks["TLS"].startswith("✗ TLS: certificate refused: ")
    assert "fix: serve a valid certificate for localhost:" in checks["TLS"]
    assert out.endswith("2 check(s) failed: actor, TLS\n")


def test_clock_skew() -> None:
    now = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    date = format_datetime(now - dt.timedelta(seconds=45), usegmt=True)

    assert clock_result(format_datetime(now, usegmt=True), now).ok
    late = clock_result(date, now)
    assert not late.ok
    assert late.detail == f"this server's clock and the Date header ({date}) differ by 45 s"
    assert "timedatectl set-ntp true" in late.fix


async def test_a_proxy_whose_clock_is_late(make_instance: InstanceFactory, cli: Cli) -> None:
    # Given the public URL answers through a proxy whose clock is 45 s behind ours
    async with LoopbackServer() as proxy:
        instance = await make_instance(base_url=proxy.url("").rstrip("/"))
        group = await add_group(instance, "eastside")
        await instance.step()
        late = format_datetime(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=45), usegmt=True)
        app = httpx.AsyncClient(transport=httpx.ASGITransport(app=instance.app))
        async with app:
            for path, accept in (
                (f"/.well-known/webfinger?resource=acct:eastside@{instance.host}", "*/*"),
                (f"/groups/{group.uid}", "application/activity+json"),
            ):
                answer = await app.get(instance.base_url + path, headers={"Accept": accept})
                proxy.routes[path.split("?")[0]] = Reply(
                    body=answer.content,
                    content_type=answer.headers["content-type"],
                    headers={"Date": late},
                )

        code, out, _ = await cli(instance, "doctor")

    checks = _lines(out)
    assert code == 1
    assert checks["webfinger"].startswith("✓ webfinger: ")
    assert checks["clock"].startswith("✗ clock: this server's clock and the Date header (")
    assert "differ by 4" in checks["clock"]  # 45 s, or 46 across a second's edge
    assert "timedatectl set-ntp true" in checks["clock"]
    assert out.endswith("1 check(s) failed: clock\n")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_an_unreachable_database(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    # Given a database URL where no database answers (whichever engine the suite runs on)
    if engine == "sqlite":
        (tmp_path / "a-file").write_text("not a folder")
        nowhere = f"sqlite+aiosqlite:///{tmp_path}/a-file/mutuals.db"
        reason = f"unreachable: {tmp_path}/a-file is not a folder this user can write"
    else:
        nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/mutuals"
        reason = "unreachable: "
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("MUTUALS_DATABASE_URL", nowhere)

    code = await asyncio.to_thread(main, ["doctor"])

    checks = _lines(capsys.readouterr().out)
    assert code == 1
    assert checks["database"].startswith(f"✗ database: {reason}")
    assert "\n    fix: check MUTUALS_DATABASE_URL" in checks["database"]
    assert checks["schema"] == "- schema: skipped (no database to check)"
    assert checks["workers"] == "- workers: skipped (no database to check)"
    assert not (tmp_path / "a-file").is_dir()


async def test_no_sqlite_file_where_the_url_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    # Given an SQLite path with no file (the CLI run from another folder, say)
    path = tmp_path / "var" / "mutuals.db"
    path.parent.mkdir()
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("MUTUALS_DATABASE_URL", f"sqlite+aiosqlite:///{path}")

    code = await asyncio.to_thread(main, ["doctor"])

    checks = _lines(capsys.readouterr().out)
    assert code == 1
    assert checks["database"] == (
        f"✗ database: no database file at {path}\n"
        "    fix: run `mutuals migrate` to create it; if it should exist, check "
        "MUTUALS_DATABASE_URL (a relative SQLite path is taken from MUTUALS_DATA_DIR)"
    )
    # Looking did not create it
    assert not path.exists()


async def test_a_schema_from_a_newer_version(instance: Instance, cli: Cli) -> None:
    # Given a database a later version migrated one step further
    newest = max(head_revisions())
    engine = make_engine(instance.settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE alembic_version SET version_num = :later WHERE version_num = :now"),
                {"later": "0099_from_the_future", "now": newest},
            )
    finally:
        await engine.dispose()

    code, out, _ = await cli(instance, "doctor")

    checks = _lines(out)
    assert code == 1
    assert checks["schema"].startswith("✗ schema: database at ")
    assert "0099_from_the_future" in checks["schema"]
    assert "newer than this version of Mutuals" in checks["schema"]
    assert checks["schema"].endswith(
        "fix: upgrade Mutuals to the version that migrated this database"
    )
