"""``mutuals backup FILE`` and ``mutuals restore FILE [--force]``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from web.backup import backup_database, describe_restore, restore_database, revisions_text
from web.commands.base import add_command
from web.settings import Settings, describe_database

BACKUP_HELP = (
    "write a consistent copy of the whole database (every group's private key "
    "included) to a new FILE, readable only by you, while the instance runs: an SQLite "
    "file for SQLite, a pg_dump custom-format archive for PostgreSQL (needs pg_dump "
    "as new as the server); it restores into the same engine only"
)
RESTORE_HELP = (
    "replace the database with a backup FILE made by `mutuals backup` on the same engine "
    "(stop `serve` and `worker` first), then migrate it if it is older; a database "
    "that has groups is only replaced with --force, after saving it beside FILE"
)


async def backup(args: argparse.Namespace, settings: Settings) -> int:
    """Back the database up to ``args.file``."""
    made = await backup_database(settings.database_url, args.file)
    print(
        f"backed up {describe_database(settings.database_url)} ({made.groups} group(s), "
        f"schema {revisions_text(made.revisions)}) to {made.path}; it holds the groups' "
        "private keys: keep it safe"
    )
    return 0


async def restore(args: argparse.Namespace, settings: Settings) -> int:
    """Restore the database from ``args.file``."""
    restored = await restore_database(settings.database_url, args.file, force=args.force)
    print("\n".join(describe_restore(restored, settings.database_url)))
    return 0


def register(commands: Any) -> None:
    """Add these commands to the parser."""
    parser = add_command(commands, "backup", backup, BACKUP_HELP)
    parser.add_argument("file", type=Path, metavar="FILE", help="the backup file to create")
    parser = add_command(commands, "restore", restore, RESTORE_HELP)
    parser.add_argument("file", type=Path, metavar="FILE", help="a file `mutuals backup` wrote")
    parser.add_argument(
        "--force", action="store_true", help="replace a database that already has groups"
    )
