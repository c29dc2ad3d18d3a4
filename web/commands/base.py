"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from web.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], Awaitable[int]]


class CliError(Exception):
    """A command failed in a way the user can fix; the message says how."""


def add_command(
    commands: Any, name: str, handler: Handler, help_text: str
) -> argparse.ArgumentParser:
    """Add a sub-command whose parsed args carry its handler."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=help_text
    )
    parser.set_defaults(handler=handler)
    return parser
