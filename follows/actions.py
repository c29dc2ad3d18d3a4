"""Follow relationships as the group's side sends them: Follow, Undo, Accept, Reject.

``accept_follower`` and ``reject_follower`` are what the inbox's Follow handler (and
``mutuals approve``/``reject``) call; every change and the activity announcing it are
added to the caller's session, to commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from actors.instance import Context
from actors.models import Follower, Following, Group, RemoteActor
from actors.remote import find_actor, get_actor, resolve_account
from documents import activities
from documents.errors import UserError
from outbox.send import new_activity_id, queue_activity

FollowRow = TypeVar("FollowRow", Follower, Following)


async def _actor_of(session: AsyncSession, row: Follower | Following) -> RemoteActor:
    # Not ``row.actor``: a row the caller just built has no loaded relationship,
    # and lazy loading is not available under asyncio.
    actor = await session.get(RemoteActor, row.actor_id)
    if actor is None:
        raise UserError("remote actor %(id)s is gone", id=row.actor_id)
    return actor


def _their_follow(group_actor: str, actor: RemoteActor, follower: Follower) -> dict[str, Any]:
    return activities.follow(follower.follow_ap_id, actor.ap_id, group_actor)


async def _answer(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    follower: Follower,
    kind: Literal["Accept", "Reject"],
) -> None:
    actor = await _actor_of(session, follower)
    group_actor = ctx.urls.group(group.uid)
    doc = activities.answer(
        kind,
        new_activity_id(ctx.urls, group),
        group_actor,
        _their_follow(group_actor, actor, follower),
    )
    # One-to-one answers go to the follower's own inbox, as Mastodon sends them.
    await queue_activity(session, group=group, activity=doc, inboxes=[actor.inbox])


async def accept_follower(
    session: AsyncSession, ctx: Context, group: Group, follower: Follower
) -> None:
    """Mark ``follower`` accepted and queue an ``Accept`` of its Follow."""
    follower.accepted = True
    await _answer(session, ctx, group, follower, "Accept")


async def reject_follower(
    session: AsyncSession, ctx: Context, group: Group, follower: Follower
) -> None:
    """Queue a ``Reject`` of ``follower``'s Follow and forget the follower."""
    await _answer(session, ctx, group, follower, "Reject")
    await session.delete(follower)


async def remove_follower(
    session: AsyncSession, ctx: Context, group: Group, follower: Follower
) -> None:
    """Remove an accepted follower; Mastodon reads the ``Reject`` as "you no longer follow"."""
    await reject_follower(session, ctx, group, follower)


async def find_account(session: AsyncSession, ctx: Context, account: str) -> RemoteActor:
    """A stored remote actor named by its id or ``user@host`` (WebFinger as a last resort)."""
    value = account.strip().lstrip("@")
    if not value.startswith(("https://", "http://")):
        user, _, host = value.partition("@")
        found = await session.execute(
            select(RemoteActor).where(
                RemoteActor.preferred_username == user, RemoteActor.domain == host.lower()
            )
        )
        if (actor := found.scalars().first()) is not None:
            return actor
        value = await resolve_account(ctx, value)
    actor = await find_actor(session, value)
    if actor is None:
        raise UserError("%(account)s is not known here", account=account)
    return actor


async def _follow_row(
    session: AsyncSession, model: type[FollowRow], group: Group, actor: RemoteActor
) -> FollowRow | None:
    """The ``model`` row (pending or accepted) between ``group`` and ``actor``, if any."""
    found = await session.execute(
        select(model).where(model.group_id == group.id, model.actor_id == actor.id)
    )
    return found.scalar_one_or_none()


async def _find_follow_row(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    model: type[FollowRow],
    account: str,
    missing: UserError,
) -> tuple[RemoteActor, FollowRow]:
    """``account``'s actor and its ``model`` row with ``group``; ``missing`` raised if none."""
    actor = await find_account(session, ctx, account)
    row = await _follow_row(session, model, group, actor)
    if row is None:
        raise missing
    return actor, row


async def find_follower(
    session: AsyncSession, ctx: Context, group: Group, account: str
) -> Follower:
    """The follower (pending or accepted) of ``group`` named by ``account``."""
    missing = UserError(
        "%(account)s does not follow %(group)s and has not asked to",
        account=account,
        group=group.name,
    )
    _, follower = await _find_follow_row(session, ctx, group, Follower, account, missing)
    return follower


async def follow(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    handle_or_url: str,
    *,
    dress: Callable[[dict[str, Any]], dict[str, Any]] = activities.with_context,
) -> Following:
    """Ask to follow an account or group: a pending ``Following`` and a queued ``Follow``.

    ``dress`` makes the Follow sent (``@context`` first); joining a network adds a term.
    """
    actor_id = await resolve_account(ctx, handle_or_url)
    group_actor = ctx.urls.group(group.uid)
    if actor_id == group_actor:
        raise UserError("%(group)s cannot follow itself", group=group.name)
    if urlsplit(actor_id).scheme not in ("http", "https"):
        raise UserError("%(account)s is not an actor URL", account=handle_or_url)
    actor = await get_actor(ctx, session, actor_id)
    if (row := await _follow_row(session, Following, group, actor)) is not None:
        if row.accepted:
            raise UserError(
                "%(group)s already follows %(account)s", group=group.name, account=actor.handle
            )
        raise UserError(
            "%(group)s already asked to follow %(account)s; not accepted yet",
            group=group.name,
            account=actor.handle,
        )
    doc = activities.follow(new_activity_id(ctx.urls, group), group_actor, actor.ap_id)
    following = Following(
        group_id=group.id, actor_id=actor.id, actor=actor, follow_ap_id=doc["id"], accepted=False
    )
    session.add(following)
    await queue_activity(
        session,
        group=group,
        activity=dress(doc),
        inboxes=[actor.inbox],
    )
    return following


async def unfollow(
    session: AsyncSession, ctx: Context, group: Group, handle_or_url: str
) -> RemoteActor:
    """Stop following: queue ``Undo{Follow}`` (embedding our Follow) and drop the row."""
    missing = UserError(
        "%(group)s does not follow %(account)s", group=group.name, account=handle_or_url
    )
    actor, following = await _find_follow_row(
        session, ctx, group, Following, handle_or_url, missing
    )
    group_actor = ctx.urls.group(group.uid)
    our_follow = activities.follow(following.follow_ap_id, group_actor, actor.ap_id)
    doc = activities.undo(new_activity_id(ctx.urls, group), group_actor, our_follow)
    await queue_activity(session, group=group, activity=doc, inboxes=[actor.inbox])
    await session.delete(following)
    return actor


async def settle_follower(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    account: str,
    settle: Callable[[AsyncSession, Context, Group, Follower], Awaitable[None]],
    already: UserError | None,
) -> str:
    """Find the follower ``account`` of ``group`` and ``settle`` it (accept, reject,
    remove); the follower's handle. ``already``, when given, is the error for a follower
    that is already accepted."""
    follower = await find_follower(session, ctx, group, account)
    if already is not None and follower.accepted:
        raise already
    handle = follower.actor.handle
    await settle(session, ctx, group, follower)
    return handle
