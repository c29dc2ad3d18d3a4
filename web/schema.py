"""Which migrations the database has, and which this version has (``/readyz``, the CLI)."""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent

# Alembic's own table, read directly: its MigrationContext logs two lines a call.
VERSIONS = sa.table("alembic_version", sa.column("version_num", sa.String))


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revision of every branch of our migrations (read once per process)."""
    return frozenset(_script().get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this version of Mutuals has."""
    return frozenset(revision.revision for revision in _script().walk_revisions())


def revisions_of(connection: Connection) -> frozenset[str]:
    """The revisions a database is at (none before its first ``mutuals migrate``)."""
    if not sa.inspect(connection).has_table(VERSIONS.name):
        return frozenset()
    return frozenset(connection.execute(sa.select(VERSIONS.c.version_num)).scalars())


async def current_revisions(session: AsyncSession) -> frozenset[str]:
    """`revisions_of` the session's database."""
    connection = await session.connection()
    return await connection.run_sync(revisions_of)


def schema_state(current: frozenset[str]) -> str:
    """How a database at ``current`` stands to this version: ``current``, ``missing``
    (never migrated), ``older`` (``mutuals migrate`` brings it up) or ``newer`` (a later
    version migrated it). The one comparison the command line, ``/readyz`` and
    ``mutuals doctor`` each word for their readers."""
    if current == head_revisions():
        return "current"
    if current - known_revisions():
        return "newer"
    return "older" if current else "missing"


def schema_problem(current: frozenset[str]) -> str | None:
    """Why a database at ``current`` is not this version's (for ``/readyz``), or None."""
    state = schema_state(current)
    if state == "current":
        return None
    found = ", ".join(sorted(current)) or "no migration"
    expected = ", ".join(sorted(head_revisions()))
    if state == "newer":
        return f"database at {found}, newer than this code ({expected}): upgrade Mutuals"
    return f"database at {found}, code expects {expected}: run `mutuals migrate`"
