"""The ``mutuals`` command line: argument parsing and clear one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from documents.errors import UserError
from web.commands import follows, forum, groups, moderation, posts, queue, server, sharing
from web.settings import load_settings

COMMAND_MODULES = (server, groups, follows, posts, forum, moderation, sharing, queue)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command module at a time."""
    parser = argparse.ArgumentParser(prog="mutuals", description="Run a Mutuals instance.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mutuals`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        return int(asyncio.run(args.handler(args, settings)) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except (OperationalError, InterfaceError, DBAPIError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"error: cannot reach the database: {reason}", file=sys.stderr)
        print("check MUTUALS_DATABASE_URL and that the database server is running", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
