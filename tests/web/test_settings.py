"""Configuration from MUTUALS_* variables and .env, and the production refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SettingsError, load_settings, sqlite_path

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


def test_data_dir_defaults_to_var_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"MUTUALS_DEV": "1"}, NO_FILE)
    assert settings.data_dir == tmp_path.resolve() / "var"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/var/mutuals.db"


def test_data_dir_setting_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"MUTUALS_DEV": "1", "MUTUALS_DATA_DIR": "data/../state"}, NO_FILE)
    assert settings.data_dir == tmp_path.resolve() / "state"
    assert sqlite_path(settings.database_url) == tmp_path.resolve() / "state" / "mutuals.db"
    elsewhere = load_settings({"MUTUALS_DEV": "1", "MUTUALS_DATA_DIR": "/srv/mutuals"}, NO_FILE)
    assert elsewhere.database_url == "sqlite+aiosqlite:////srv/mutuals/mutuals.db"


def test_database_url_relative_sqlite_made_absolute_others_kept_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    def url(value: str) -> str:
        return load_settings(
            {"MUTUALS_DEV": "1", "MUTUALS_DATABASE_URL": value}, NO_FILE
        ).database_url

    cwd = tmp_path.resolve()
    assert (
        url("sqlite+aiosqlite:///db/x.db?timeout=5")
        == f"sqlite+aiosqlite:///{cwd}/db/x.db?timeout=5"
    )
    assert url("sqlite+aiosqlite:////abs/x.db") == "sqlite+aiosqlite:////abs/x.db"
    assert url("sqlite+aiosqlite:///:memory:") == "sqlite+aiosqlite:///:memory:"
    postgres = "postgresql+asyncpg://u:p%40ss%25@db.example:5432/mutuals"
    assert url(postgres) == postgres
    with pytest.raises(SettingsError, match="MUTUALS_DATABASE_URL is not a database URL"):
        url("not a url")


def test_log_settings() -> None:
    settings = load_settings({"MUTUALS_DEV": "1"}, NO_FILE)
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    env = {"MUTUALS_DEV": "1", "MUTUALS_LOG_LEVEL": "debug", "MUTUALS_LOG_FORMAT": "JSON"}
    settings = load_settings(env, NO_FILE)
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    with pytest.raises(SettingsError, match="MUTUALS_LOG_LEVEL must be one of DEBUG, INFO"):
        load_settings({"MUTUALS_DEV": "1", "MUTUALS_LOG_LEVEL": "verbose"}, NO_FILE)
    with pytest.raises(SettingsError, match="MUTUALS_LOG_FORMAT must be 'text' or 'json'"):
        load_settings({"MUTUALS_DEV": "1", "MUTUALS_LOG_FORMAT": "xml"}, NO_FILE)
