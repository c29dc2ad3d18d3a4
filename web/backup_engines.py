"""Copying a whole database to a file and back, one way per engine (``web.backup`` decides when).

SQLite: the online backup API copies every page inside one read transaction, so the
copy is a consistent snapshot while ``serve`` and ``worker`` keep writing (WAL lets them).

PostgreSQL: ``pg_dump`` in its custom format, restored by ``pg_restore``. We chose
them over a dump written by our own code because they already get right what a
hand-written one would have to: one snapshot for every table (pg_dump reads in a
REPEATABLE READ, read-only transaction), sequences set past the restored ids, every
constraint and index recreated after the data, exact types (JSON, timestamps, bytea),
and an archive ``pg_restore`` can list and read one table of. The price
is that the client tools must be installed and be as new as the server (checked).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from documents.errors import UserError
from store.db import SQLITE_TIMEOUT, make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
LIBPQ_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class BackupError(UserError):
    """A backup or restore cannot be made as asked; the message says why and what to do."""


def create_private(path: Path) -> None:
    """Create an empty file only its owner can read: a backup holds every group's private key."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def check_new_file(path: Path) -> None:
    """Refuse to write a backup over an existing file, or into a missing folder."""
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``: which engine wrote the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Mutuals backup (neither an SQLite file nor a pg_dump)")


# SQLite ---------------------------------------------------------------------------


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy the live database ``source`` into the new file ``target`` (private, no WAL)."""
    create_private(target)
    src = sqlite3.connect(source, timeout=SQLITE_TIMEOUT)
    try:
        dst = sqlite3.connect(target)
        try:
            # One step (pages=-1): the whole copy reads one snapshot.
            src.backup(dst)
            # A single self-contained file, with no -wal beside it to forget.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_contents(path: Path) -> tuple[frozenset[str], int]:
    """The schema revisions and number of groups in an SQLite backup."""
    try:
        conn = _open_read_only(path)
        try:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is damaged (SQLite's quick_check fails)")
            revisions = frozenset(
                row[0] for row in conn.execute("SELECT version_num FROM alembic_version")
            )
            groups = conn.execute("SELECT count(*) FROM groups").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Mutuals backup: {exc}") from None
    return revisions, int(groups)


def sqlite_restore(backup: Path, target: Path) -> None:
    """Replace every page of ``target`` with the backup's, in one write transaction."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        create_private(target)
    src = _open_read_only(backup)
    try:
        dst = sqlite3.connect(target, timeout=SQLITE_TIMEOUT)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# PostgreSQL -----------------------------------------------------------------------


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The libpq URI of a SQLAlchemy URL, and an environment carrying its password.

    The password goes in ``PGPASSWORD`` rather than on the command line, where ``ps``
    shows it; asyncpg's ``ssl=`` query becomes libpq's ``sslmode=``.
    """
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    query = dict(url.query)
    ssl = query.pop("ssl", None)
    if isinstance(ssl, str) and ssl in LIBPQ_SSLMODES:
        query["sslmode"] = ssl
    plain = url.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of the server's "
            "major version (Debian: postgresql-client-N)"
        )
    return path


async def run_tool(name: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL client tool; its output, or a one-line error naming the tool."""
    argv = [_tool(name), *args]
    done = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {done.returncode}'}")
    return done.stdout


async def _tool_major(name: str) -> int:
    found = re.search(r"\)\s*(\d+)", await run_tool(name, "--version"))
    if found is None:
        raise BackupError(f"cannot tell which version {name} is")
    return int(found.group(1))


async def server_major(database_url: str) -> int:
    """The major version of the PostgreSQL server (15 for 15.4)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            number = (await conn.execute(sa.text("SHOW server_version_num"))).scalar_one()
    finally:
        await engine.dispose()
    return int(number) // 10000


async def check_tool_version(name: str, database_url: str, *, exact: bool) -> None:
    """Refuse a client tool older than the server (or, with ``exact``, of another major).

    ``pg_dump`` refuses a newer server itself, less clearly; a newer ``pg_restore``
    may write settings an older server does not know (17's ``transaction_timeout``).
    """
    tool, server = await _tool_major(name), await server_major(database_url)
    if tool < server or (exact and tool != server):
        raise BackupError(
            f"{name} is version {tool} but the server is PostgreSQL {server}: "
            f"install postgresql-client-{server}"
        )


async def pg_backup(database_url: str, target: Path) -> None:
    """``pg_dump`` the database into the new private file ``target`` (custom format)."""
    await check_tool_version("pg_dump", database_url, exact=False)
    dsn, env = libpq_target(database_url)
    create_private(target)
    await run_tool(
        "pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}", env=env
    )


def _copy_rows(script: str, table: str) -> list[str]:
    """The data lines of ``table``'s COPY block in a plain SQL script from ``pg_restore``."""
    rows: list[str] = []
    inside = False
    for line in script.splitlines():
        if inside:
            if line == "\\.":
                break
            rows.append(line)
        elif line.startswith(f"COPY public.{table} "):
            inside = True
    return rows


async def pg_contents(path: Path) -> tuple[frozenset[str], int, frozenset[str]]:
    """The schema revisions, number of groups and tables of a ``pg_dump`` backup."""
    listing = await run_tool("pg_restore", "--list", str(path))
    tables = frozenset(re.findall(r"\bTABLE public (\S+) ", listing))
    script = await run_tool(
        "pg_restore",
        "--data-only",
        "--table=alembic_version",
        "--table=groups",
        "--file=-",
        str(path),
    )
    revisions = frozenset(_copy_rows(script, "alembic_version"))
    return revisions, len(_copy_rows(script, "groups")), tables


async def pg_restore(database_url: str, backup: Path, backup_tables: frozenset[str]) -> None:
    """Restore ``backup`` over the database: every table it has is dropped and recreated.

    Tables the database has and the backup lacks (a newer schema's) are dropped first,
    or the migrations run afterwards would find them in the way. The restore itself is
    one transaction: if it fails, the database keeps the tables it had.
    """
    await check_tool_version("pg_restore", database_url, exact=True)
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            present = await conn.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
            for table in sorted(present - backup_tables):
                await conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        await engine.dispose()
    dsn, env = libpq_target(database_url)
    await run_tool(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={dsn}",
        str(backup),
        env=env,
    )
