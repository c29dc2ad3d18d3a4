"""Changes to who runs a group that show on its profile.

A liaison's own fediverse handle is in the group's actor document (a ``Liaison`` field),
so granting, revoking or disabling one changes the profile: followers then receive
``Update{Group}``, as for any other profile change. Other changes send nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import roles
from accounts.accounts import disable_account
from accounts.models import Account, Role
from actors.instance import Context
from actors.models import Group
from posts.notes import update_group_profile


async def change_role(
    session: AsyncSession,
    ctx: Context,
    group: Group,
    account: Account,
    role: str,
    *,
    by: str,
    take: bool = False,
    handle: str | None = None,
) -> None:
    """Grant ``role`` (revoke it with ``take``); followers learn of a new liaison contact."""
    before = await roles.liaisons(session, group)
    if take:
        await roles.revoke(session, account, group, role, by=by)
    else:
        await roles.grant(session, account, group, role, by=by, handle=handle)
    if await roles.liaisons(session, group) != before:
        await update_group_profile(session, ctx, group)


async def disable(session: AsyncSession, ctx: Context, account: Account, *, by: str) -> None:
    """Disable ``account``; the groups it was the liaison contact of update their profile."""
    shown = await session.scalars(
        select(Group)
        .join(Role, Role.group_id == Group.id)
        .where(Role.account_id == account.id, Role.role == roles.LIAISON, Role.handle.is_not(None))
        .order_by(Group.id)
    )
    groups = list(shown.unique())
    await disable_account(session, account, by=by)
    for group in groups:
        await update_group_profile(session, ctx, group)
