"""``mutuals backup`` and ``mutuals restore``: what is checked before, and what is said after.

The copying itself is in ``web.backup_engines``. A backup restores into the engine
that made it (an SQLite file into SQLite, a pg_dump into PostgreSQL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.db import is_sqlite
from web.backup_engines import (
    BackupError,
    backup_kind,
    check_new_file,
    pg_backup,
    pg_contents,
    pg_restore,
    sqlite_backup,
    sqlite_contents,
    sqlite_restore,
)
from web.migrate import current_revisions, read_existing, upgrade
from web.schema import head_revisions, known_revisions, schema_state
from web.settings import describe_database, sqlite_path


@dataclass(frozen=True)
class Backup:
    """What a backup file holds."""

    path: Path
    revisions: frozenset[str]
    groups: int


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: from which file, over what, and whether it migrated."""

    backup: Backup
    replaced_groups: int
    saved_previous: Path | None
    migrated_to: frozenset[str] | None


def revisions_text(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "no schema"


def _count_groups(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("groups"):
        return 0
    return int(conn.execute(sa.text("SELECT count(*) FROM groups")).scalar_one())


async def count_groups(database_url: str) -> int:
    """How many groups the database has (0 with no schema; a missing SQLite file stays so)."""
    return await read_existing(database_url, _count_groups, 0)


def _engine_name(database_url: str) -> str:
    return "sqlite" if is_sqlite(database_url) else "postgresql"


async def backup_database(database_url: str, target: Path) -> Backup:
    """Write a consistent copy of the running database to ``target`` (a new, private file).

    The copy goes to ``target.partial`` first and is renamed when complete, so a file
    called ``target`` is always a whole backup.
    """
    check_new_file(target)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        path = sqlite_path(database_url)
        if path is not None:
            if not path.exists():
                raise BackupError(f"there is no database at {path} to back up")
            await asyncio.to_thread(sqlite_backup, path, partial)
        elif is_sqlite(database_url):
            raise BackupError("only an SQLite database in a file can be backed up")
        else:
            await pg_backup(database_url, partial)
        backup = await read_backup(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, backup.revisions, backup.groups)


async def read_backup(path: Path) -> Backup:
    """The schema revisions and group count of a backup file, which must be whole."""
    if backup_kind(path) == "sqlite":
        revisions, groups = await asyncio.to_thread(sqlite_contents, path)
    else:
        revisions, groups, _tables = await pg_contents(path)
    return Backup(path, revisions, groups)


def check_restorable(backup: Backup) -> None:
    """Refuse a backup with no schema, or with one this version of Mutuals does not know."""
    if not backup.revisions:
        raise BackupError(f"{backup.path} is not a Mutuals backup: it has no schema revision")
    unknown = backup.revisions - known_revisions()
    if unknown:
        raise BackupError(
            f"{backup.path} has schema revision {revisions_text(unknown)}, newer than this "
            "version of Mutuals knows: restore it with that version or a newer one"
        )


async def restore_database(database_url: str, source: Path, *, force: bool = False) -> Restored:
    """Replace the database's contents with the backup ``source``, then migrate it.

    A database that has groups is only replaced with ``force``, and then a backup of
    it is first written beside ``source`` (``….replaced-<time>``).
    """
    kind, engine = backup_kind(source), _engine_name(database_url)
    if kind != engine:
        raise BackupError(
            f"{source} is a {kind} backup and restores only into {kind}, but "
            f"MUTUALS_DATABASE_URL names {engine}"
        )
    backup = await read_backup(source)
    check_restorable(backup)
    where = describe_database(database_url)
    current = await current_revisions(database_url)
    if schema_state(current) == "newer":
        raise BackupError(
            f"the database {where} has a schema newer than this version of Mutuals: "
            "restore with that version, or into an empty database"
        )
    replaced = await count_groups(database_url)
    saved: Path | None = None
    if replaced:
        if not force:
            raise BackupError(
                f"the database {where} already has {replaced} group(s): restoring would "
                "replace them and their keys; add --force to replace it anyway"
            )
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        saved = (await backup_database(database_url, Path(f"{source}.replaced-{stamp}"))).path
    if kind == "sqlite":
        path = sqlite_path(database_url)
        if path is None:
            raise BackupError("only an SQLite database in a file can be restored into")
        await asyncio.to_thread(sqlite_restore, source, path)
    else:
        _revisions, _groups, tables = await pg_contents(source)
        await pg_restore(database_url, source, tables)
    migrated: frozenset[str] | None = None
    if schema_state(backup.revisions) != "current":
        await upgrade(database_url)
        migrated = head_revisions()
    return Restored(backup, replaced, saved, migrated)


def describe_restore(restored: Restored, database_url: str) -> list[str]:
    """The lines ``mutuals restore`` prints."""
    backup = restored.backup
    lines = [
        f"restored {backup.groups} group(s) from {backup.path} into "
        f"{describe_database(database_url)} (schema {revisions_text(backup.revisions)})"
    ]
    if restored.saved_previous is not None:
        lines.append(
            f"the {restored.replaced_groups} group(s) it replaced were first saved "
            f"to {restored.saved_previous}"
        )
    if restored.migrated_to is not None:
        lines.append(f"migrated the schema to {revisions_text(restored.migrated_to)}")
    return lines
