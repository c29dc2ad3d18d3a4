"""The addresses a group also goes by (``alsoKnownAs``), and checking that a move's target
confirms the actor that moves to it: the one proof a move is wanted, as Mastodon asks.

Sending the ``Move`` and moving follows are ``follows.moves``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors.groups import GroupError, find_group, find_group_by_uid
from actors.instance import Context
from actors.models import Group
from actors.remote import get_actor, resolve_account
from federation.vocab import as_list, get_id
from store.db import utcnow


def aliases(doc: dict[str, Any]) -> list[str]:
    """The actor ids an actor document lists in ``alsoKnownAs`` (ids or embedded objects)."""
    return [alias for item in as_list(doc.get("alsoKnownAs")) if (alias := get_id(item))]


async def actor_id_of(session: AsyncSession, ctx: Context, handle_or_url: str) -> str:
    """The actor id of ``name@host``, ``@name@host`` or an actor URL; our own groups'
    handles are read from the database, others through WebFinger."""
    name, _, host = handle_or_url.strip().lstrip("@").partition("@")
    if host.lower() == ctx.host.lower():
        group = await find_group(session, name)
        if group is None:
            raise GroupError(
                "unknown group %(name)r; 'mutuals group list' shows the groups", name=name
            )
        return ctx.urls.group(group.uid)
    return await resolve_account(ctx, handle_or_url)


async def add_alias(session: AsyncSession, ctx: Context, group: Group, handle_or_url: str) -> str:
    """List the account ``handle_or_url`` in the group's ``alsoKnownAs``; its actor id.

    This is how the group a move goes to confirms the move (see ``confirmed_by``).
    """
    alias = await actor_id_of(session, ctx, handle_or_url)
    if alias == ctx.urls.group(group.uid):
        raise GroupError("%(group)s cannot be known as itself", group=group.name)
    if alias not in group.also_known_as:
        group.also_known_as = [*group.also_known_as, alias]
        group.updated_at = utcnow()
    return alias


async def confirmed_by(session: AsyncSession, ctx: Context, target: str) -> list[str]:
    """The ids the actor ``target`` lists in ``alsoKnownAs``, read where it lives: our own
    group's row, or its document fetched afresh from its origin (never a cached copy)."""
    uid = ctx.urls.group_uid(target)
    if uid is not None:
        group = await find_group_by_uid(session, uid)
        return list(group.also_known_as) if group is not None else []
    actor = await get_actor(ctx, session, target, refresh=True)
    return aliases(actor.document)
