"""Which remote account a moderation action is about (the command line and the web share it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import RemoteActor
from actors.remote import ActorError, find_actor, get_actor, resolve_account
from documents.errors import UserError


async def remote_account_id(ctx: Context, account: str) -> str:
    """The actor id ``account`` (user@host or URL) names; never one of ours."""
    actor_id = await resolve_account(ctx, account)
    if ctx.urls.is_local(actor_id):
        raise UserError(
            "%(account)s is on this instance; moderation applies to remote accounts",
            account=account,
        )
    return actor_id


async def known_actor(
    ctx: Context, session: AsyncSession, actor_id: str
) -> tuple[RemoteActor | None, str]:
    """The stored (or freshly fetched) actor, or None with the reason it is unavailable."""
    if (actor := await find_actor(session, actor_id)) is not None:
        return actor, ""
    try:
        return await get_actor(ctx, session, actor_id), ""
    except ActorError as exc:
        return None, str(exc)
