"""Secrets from files: ``MUTUALS_SECRET_KEY_FILE`` and ``MUTUALS_DATABASE_URL_FILE``.

For Docker secrets (``/run/secrets/…``) and other mounted files, so that no secret has
to sit in the environment or in compose.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SettingsError, load_settings

NO_FILE = Path("/nonexistent/.env")
BASE = {"MUTUALS_BASE_URL": "https://groups.example.org"}
PG_URL = "postgresql+asyncpg://mutuals:s3cret@postgres:5432/mutuals"


def test_secret_key_and_database_url_are_read_from_files_and_stripped(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("k" * 32 + "\n")
    url = tmp_path / "database_url"
    url.write_text(f"  {PG_URL}\n\n")
    env = {
        **BASE,
        "MUTUALS_SECRET_KEY_FILE": str(key),
        "MUTUALS_DATABASE_URL_FILE": str(url),
    }
    settings = load_settings(env, NO_FILE)
    assert settings.secret_key == "k" * 32
    assert settings.database_url == PG_URL


def test_a_file_variable_from_dotenv_is_read_too(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("d" * 32)
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"MUTUALS_SECRET_KEY_FILE={key}\n")
    assert load_settings(BASE, dotenv).secret_key == "d" * 32


def test_giving_a_variable_and_its_file_is_an_error(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("k" * 32)
    env = {**BASE, "MUTUALS_SECRET_KEY": "s" * 32, "MUTUALS_SECRET_KEY_FILE": str(key)}
    with pytest.raises(SettingsError, match="MUTUALS_SECRET_KEY or MUTUALS_SECRET_KEY_FILE"):
        load_settings(env, NO_FILE)


def test_an_empty_variable_beside_its_file_counts_as_unset(tmp_path: Path) -> None:
    url = tmp_path / "database_url"
    url.write_text(PG_URL)
    env = {
        **BASE,
        "MUTUALS_DEV": "1",
        "MUTUALS_DATABASE_URL": "",
        "MUTUALS_DATABASE_URL_FILE": str(url),
    }
    assert load_settings(env, NO_FILE).database_url == PG_URL


def test_an_unreadable_file_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-secret"
    env = {**BASE, "MUTUALS_DATABASE_URL_FILE": str(missing)}
    with pytest.raises(SettingsError) as caught:
        load_settings(env, NO_FILE)
    message = str(caught.value)
    assert "\n" not in message
    assert "MUTUALS_DATABASE_URL_FILE" in message
    assert str(missing) in message
    assert "No such file or directory" in message


def test_a_directory_is_unreadable_too(tmp_path: Path) -> None:
    env = {**BASE, "MUTUALS_SECRET_KEY_FILE": str(tmp_path)}
    with pytest.raises(SettingsError, match=r"MUTUALS_SECRET_KEY_FILE=.* cannot be read"):
        load_settings(env, NO_FILE)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("\n")
    with pytest.raises(SettingsError, match=r"MUTUALS_SECRET_KEY_FILE=.* is empty"):
        load_settings({**BASE, "MUTUALS_SECRET_KEY_FILE": str(key)}, NO_FILE)


def test_the_secret_is_never_in_the_error(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_bytes(b"\xff\xfe not text")
    with pytest.raises(SettingsError, match="is not UTF-8 text") as caught:
        load_settings({**BASE, "MUTUALS_SECRET_KEY_FILE": str(key)}, NO_FILE)
    assert "not text" not in str(caught.value)


def test_forwarded_allow_ips_defaults_to_loopback_and_can_be_set() -> None:
    env = {**BASE, "MUTUALS_SECRET_KEY": "s" * 32}
    assert load_settings(env, NO_FILE).forwarded_allow_ips == "127.0.0.1"
    proxies = "172.16.0.0/12,192.168.0.0/16"
    settings = load_settings({**env, "MUTUALS_FORWARDED_ALLOW_IPS": proxies}, NO_FILE)
    assert settings.forwarded_allow_ips == proxies
