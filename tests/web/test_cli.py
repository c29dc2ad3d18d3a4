"""The ``mutuals`` command line: group commands and clear errors."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Databases
from web.cli import main


@pytest.fixture
def cli_env(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = asyncio.run(databases.new())
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_BASE_URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("MUTUALS_DATABASE_URL", url)
    return url


def test_group_create_list_show(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["group", "create", "eastside", "--display-name", "Eastside", "--summary", "Hi"]) == 0
    )
    assert "@eastside@127.0.0.1:8123" in capsys.readouterr().out
    assert main(["group", "list"]) == 0
    assert "eastside\t@eastside@127.0.0.1:8123\tEastside" in capsys.readouterr().out
    assert main(["group", "show", "eastside"]) == 0
    shown = capsys.readouterr().out
    assert "http://127.0.0.1:8123/groups/eastside" in shown
    assert "manual approval: no" in shown


def test_group_create_errors(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["group", "create", "eastside"]) == 0
    capsys.readouterr()
    assert main(["group", "create", "eastside"]) == 1
    assert "error: the name 'eastside' is taken" in capsys.readouterr().err
    assert main(["group", "create", "East Side!"]) == 1
    assert "error: invalid group name" in capsys.readouterr().err
    assert main(["group", "create", "x" * 31]) == 1
    assert "invalid group name" in capsys.readouterr().err
    assert main(["group", "create", "eastside", "--exist-ok"]) == 0


def test_unknown_group(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["group", "show", "nobody"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown group 'nobody'")
    assert len(err.strip().splitlines()) == 1


def test_database_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUTUALS_DEV", "1")
    monkeypatch.setenv("MUTUALS_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/none")
    assert main(["group", "list"]) == 1
    assert "error: cannot reach the database" in capsys.readouterr().err


def test_production_settings_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MUTUALS_DEV", raising=False)
    monkeypatch.setenv("MUTUALS_BASE_URL", "http://groups.example.org")
    assert main(["group", "list"]) == 1
    assert "MUTUALS_BASE_URL must start with https://" in capsys.readouterr().err
