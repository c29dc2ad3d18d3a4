"""Apply the Alembic migrations to a database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def ensure_sqlite_dir(database_url: str) -> None:
    """Create the folder of an SQLite file database when it is missing."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        Path(database_url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


def _upgrade(database_url: str) -> None:
    ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), "heads")


async def upgrade(database_url: str) -> None:
    """Migrate the database to the newest schema (runs Alembic in a thread)."""
    await asyncio.to_thread(_upgrade, database_url)
