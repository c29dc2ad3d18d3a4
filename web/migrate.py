"""Apply the Alembic migrations to a database, and check a database is migrated."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from documents.errors import UserError
from store.db import make_engine
from web.schema import MIGRATIONS_DIR, known_revisions, revisions_of, schema_state
from web.settings import describe_database, sqlite_path

T = TypeVar("T")


class SchemaError(UserError):
    """The database schema is missing, or not the one this version of Mutuals migrates to."""


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's options go through configparser interpolation, where "%" starts a
    # reference: a URL-encoded password ("p%40ss") must be written "%%" to come back as is.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def ensure_sqlite_dir(database_url: str) -> None:
    """Create the folder of an SQLite file database when it is missing."""
    path = sqlite_path(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _upgrade(database_url: str) -> None:
    ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), "heads")


async def upgrade(database_url: str) -> None:
    """Migrate the database to the newest schema (runs Alembic in a thread)."""
    await asyncio.to_thread(_upgrade, database_url)


async def current_revisions(database_url: str) -> frozenset[str]:
    """The revisions the database is at: empty when it has no schema."""
    return await read_existing(database_url, revisions_of, frozenset())


async def read_existing(database_url: str, read: Callable[[Connection], T], missing: T) -> T:
    """``read`` on a connection to the database, or ``missing`` for an SQLite file that
    does not exist (which is not created by looking)."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return missing
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(read)
    finally:
        await engine.dispose()


async def require_current_schema(database_url: str, *, allow_older: bool = False) -> None:
    """Raise ``SchemaError`` unless the database is at the newest revisions of this version.

    With ``allow_older`` (for ``mutuals migrate``), only a schema this version does not
    know (migrated by a newer version) is refused.
    """
    current = await current_revisions(database_url)
    state = schema_state(current)
    if state == "current" or (allow_older and state != "newer"):
        return
    where = describe_database(database_url)
    if state == "newer":
        unknown = ", ".join(sorted(current - known_revisions()))
        raise SchemaError(
            f"the database {where} has schema revision {unknown}, "
            "newer than this version of Mutuals knows: upgrade Mutuals"
        )
    says = (
        "has no schema" if state == "missing" else "has a schema older than this version of Mutuals"
    )
    raise SchemaError(f"the database {where} {says}: run `mutuals migrate` first")
