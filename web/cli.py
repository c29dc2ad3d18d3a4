"""The ``mutuals`` command line: argument parsing and clear one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

import uvloop
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from documents.errors import UserError
from web.commands import (
    accounts,
    backup,
    directory,
    distribution,
    doctor,
    follows,
    forum,
    groups,
    keys,
    moderation,
    networks,
    posts,
    queue,
    server,
    sharing,
    surveys,
    transparency,
    volunteers,
)
from web.migrate import require_current_schema
from web.settings import Settings, describe_database, load_settings

COMMAND_MODULES = (
    server,
    groups,
    keys,
    follows,
    posts,
    forum,
    moderation,
    sharing,
    distribution,
    surveys,
    transparency,
    volunteers,
    directory,
    networks,
    accounts,
    queue,
    backup,
    doctor,
)
WITHOUT_SCHEMA = {"migrate", "backup", "restore", "doctor"}
"""Commands that run on a database whatever its schema; every other one needs it current.

``backup`` saves a database before a newer version migrates it; ``restore`` fills an
empty one (and checks the schema itself); ``doctor`` reports it.
"""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command module at a time."""
    parser = argparse.ArgumentParser(prog="mutuals", description="Run a Mutuals instance.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the parsed command, once the database is known to have this version's schema."""
    if args.command not in WITHOUT_SCHEMA:
        await require_current_schema(settings.database_url)
    return int(await args.handler(args, settings) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mutuals`` console script."""
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        # A command may load its own (``doctor`` reports settings others refuse).
        settings = getattr(args, "load_settings", load_settings)()
        # uvloop for every command, ``serve`` included: uvicorn chooses its loop only when
        # it starts one itself, and here it runs inside ours (benchmarks/README.md).
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(run(args, settings))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except (OperationalError, InterfaceError, DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        where = f" {describe_database(settings.database_url)}" if settings else ""
        print(
            f"error: cannot reach the database{where}: {reason}; "
            "check MUTUALS_DATABASE_URL and that the database server is running",
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
