"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import get_group
from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from web.runtime import open_context
from web.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], Awaitable[int]]


class CliError(UserError):
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


@asynccontextmanager
async def group_session(
    settings: Settings, name: str
) -> AsyncIterator[tuple[Context, AsyncSession, Group]]:
    """The instance context, a database session, and the group called ``name``."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        yield ctx, session, await get_group(session, name)
