"""Configuration from MUTUALS_* variables and .env, and the production refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SettingsError, load_settings

NO_FILE = Path("/nonexistent/.env")


def test_production_refuses_plain_http() -> None:
    env = {"MUTUALS_BASE_URL": "http://groups.example.org", "MUTUALS_SECRET_KEY": "x" * 32}
    with pytest.raises(SettingsError, match="https://"):
        load_settings(env, NO_FILE)


def test_production_refuses_missing_secret_key() -> None:
    with pytest.raises(SettingsError, match="MUTUALS_SECRET_KEY"):
        load_settings({"MUTUALS_BASE_URL": "https://groups.example.org"}, NO_FILE)


def test_production_settings_accepted() -> None:
    settings = load_settings(
        {"MUTUALS_BASE_URL": "https://groups.example.org/", "MUTUALS_SECRET_KEY": "s" * 32},
        NO_FILE,
    )
    assert settings.base_url == "https://groups.example.org"
    assert settings.host == "groups.example.org"
    assert settings.dev is False
    assert settings.run_workers is False


def test_dev_mode_defaults() -> None:
    settings = load_settings({"MUTUALS_DEV": "1"}, NO_FILE)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.host == "127.0.0.1:8000"
    assert settings.run_workers is True


def test_base_url_must_be_an_origin() -> None:
    with pytest.raises(SettingsError, match="bare origin"):
        load_settings({"MUTUALS_DEV": "1", "MUTUALS_BASE_URL": "http://x.example/app"}, NO_FILE)


def test_env_file_values_are_defaults(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MUTUALS_DEV=1\nMUTUALS_BASE_URL=http://localhost:9000\n")
    assert load_settings({}, env_file).base_url == "http://localhost:9000"
    overridden = load_settings({"MUTUALS_BASE_URL": "http://localhost:9001"}, env_file)
    assert overridden.base_url == "http://localhost:9001"


def test_inbox_rate_limit_settings() -> None:
    env = {"MUTUALS_DEV": "1", "MUTUALS_INBOX_RATE": "0.5", "MUTUALS_INBOX_BURST": "20"}
    settings = load_settings(env, NO_FILE)
    assert (settings.inbox_rate, settings.inbox_burst) == (0.5, 20)
    assert load_settings({"MUTUALS_DEV": "1"}, NO_FILE).inbox_rate == 10.0
    for bad in ({"MUTUALS_INBOX_RATE": "fast"}, {"MUTUALS_INBOX_BURST": "0"}):
        with pytest.raises(SettingsError, match="MUTUALS_INBOX_"):
            load_settings({"MUTUALS_DEV": "1", **bad}, NO_FILE)
