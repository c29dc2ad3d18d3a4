"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import get_group
from actors.instance import Context
from actors.models import Group
from documents.errors import UserError
from web.runtime import open_context
from web.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], Awaitable[int]]
P = ParamSpec("P")
T = TypeVar("T")


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


def print_lines(lines: Sequence[str], empty: str) -> None:
    """Print ``lines``, or the message ``empty`` when there are none."""
    print("\n".join(lines) if lines else empty)


@asynccontextmanager
async def group_session(
    settings: Settings, name: str
) -> AsyncIterator[tuple[Context, AsyncSession, Group]]:
    """The instance context, a database session, and the group called ``name``."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        yield ctx, session, await get_group(session, name)


async def group_action(
    settings: Settings,
    name: str,
    action: Callable[Concatenate[AsyncSession, Context, Group, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> tuple[Group, T]:
    """Run ``action(session, ctx, group, *args, **kwargs)`` for the group ``name`` and commit.

    Returns the group and what ``action`` returned.
    """
    async with group_session(settings, name) as (ctx, session, group):
        result = await action(session, ctx, group, *args, **kwargs)
        await session.commit()
    return group, result


async def context_action(
    settings: Settings,
    action: Callable[Concatenate[AsyncSession, Context, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run ``action(session, ctx, *args, **kwargs)`` on the instance's database, commit, return."""
    async with open_context(settings) as ctx, ctx.sessions() as session:
        result = await action(session, ctx, *args, **kwargs)
        await session.commit()
    return result


async def instance_action(
    settings: Settings,
    action: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run ``action(session, *args, **kwargs)`` on the instance's database, commit, return."""

    async def without_context(session: AsyncSession, _ctx: Context) -> T:
        return await action(session, *args, **kwargs)

    return await context_action(settings, without_context)
