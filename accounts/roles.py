"""Roles in a group, what each may do, and granting or revoking them (recorded)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.audit import record
from accounts.models import Account, Role
from actors.models import Group
from documents.errors import UserError

ORGANIZER, MODERATOR, EDITOR, LIAISON = "organizer", "moderator", "editor", "liaison"
ROLES = (ORGANIZER, MODERATOR, EDITOR, LIAISON)

# What each permission needs. Organizers may do everything in their group.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "publish": frozenset({ORGANIZER, EDITOR}),
    "moderate": frozenset({ORGANIZER, MODERATOR}),
    "liaise": frozenset({ORGANIZER, LIAISON}),
    "roles": frozenset({ORGANIZER}),
    "audit": frozenset({ORGANIZER}),
    "transparency": frozenset({ORGANIZER}),
}
"""Permission → the roles that grant it (the admin routes name a permission each)."""


HANDLE = re.compile(r"@?([A-Za-z0-9_.-]{1,64})@([A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,63})")
"""A fediverse handle as people write it: @name@server.example."""


class RoleError(UserError):
    """A role that does not exist, or a grant or revoke that cannot be done."""


def check_role(role: str) -> str:
    """``role`` if it is one of `ROLES`; else a `RoleError` naming them."""
    if role not in ROLES:
        raise RoleError(
            "unknown role %(role)r: choose one of %(roles)s", role=role, roles=", ".join(ROLES)
        )
    return role


def check_handle(handle: str) -> str:
    """``handle`` as ``@user@host``, if it is one; else a `RoleError` saying how to write it."""
    found = HANDLE.fullmatch(handle.strip())
    if found is None:
        raise RoleError(
            "%(handle)r is not a fediverse handle: write it as @name@server.example",
            handle=handle[:100],
        )
    return f"@{found[1]}@{found[2].lower()}"


def allows(roles: set[str], permission: str) -> bool:
    """True when any of ``roles`` grants ``permission``."""
    return bool(roles & PERMISSIONS[permission])


async def roles_in(session: AsyncSession, account: Account, group: Group) -> set[str]:
    """The roles ``account`` holds in ``group``."""
    rows = await session.scalars(
        select(Role.role).where(Role.account_id == account.id, Role.group_id == group.id)
    )
    return set(rows)


async def groups_of(session: AsyncSession, account: Account) -> dict[int, set[str]]:
    """Group id → the roles ``account`` holds there."""
    held: dict[int, set[str]] = {}
    for group_id, role in await session.execute(
        select(Role.group_id, Role.role).where(Role.account_id == account.id)
    ):
        held.setdefault(group_id, set()).add(role)
    return held


async def groups_allowing(session: AsyncSession, account: Account, permission: str) -> list[Group]:
    """The groups where ``account`` holds a role granting ``permission``, by name."""
    held = await groups_of(session, account)
    ids = [group_id for group_id, roles in held.items() if allows(roles, permission)]
    if not ids:
        return []
    return list(await session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))


async def members(session: AsyncSession, group: Group) -> Sequence[tuple[Role, Account]]:
    """Every role held in ``group``, with its account, by username then role."""
    rows = await session.execute(
        select(Role, Account)
        .join(Account, Account.id == Role.account_id)
        .where(Role.group_id == group.id)
        .order_by(Account.username, Role.role)
    )
    return [(role, account) for role, account in rows]


async def liaisons(session: AsyncSession, group: Group) -> list[str]:
    """The fediverse handles the group's liaisons chose to show, by username."""
    rows = await session.scalars(
        select(Role.handle)
        .join(Account, Account.id == Role.account_id)
        .where(
            Role.group_id == group.id,
            Role.role == LIAISON,
            Role.handle.is_not(None),
            Account.disabled.is_(False),
        )
        .order_by(Account.username)
    )
    return [handle for handle in rows if handle]


async def grant(
    session: AsyncSession,
    account: Account,
    group: Group,
    role: str,
    *,
    by: str,
    handle: str | None = None,
) -> Role:
    """Give ``account`` ``role`` in ``group`` (a liaison may show a ``handle``); recorded."""
    check_role(role)
    if handle is not None and role != LIAISON:
        raise RoleError("only a liaison shows a fediverse handle of their own")
    if handle is not None:
        handle = check_handle(handle)
    existing = await session.scalar(
        select(Role).where(
            Role.account_id == account.id, Role.group_id == group.id, Role.role == role
        )
    )
    if existing is not None:
        if handle is not None and handle != existing.handle:
            existing.handle = handle
            await record(session, by, "liaison handle", group, f"{account.username}: {handle}")
        return existing
    held = Role(account_id=account.id, group_id=group.id, role=role, handle=handle)
    session.add(held)
    await record(session, by, "grant", group, f"{role} to {account.username}")
    return held


async def revoke(
    session: AsyncSession, account: Account, group: Group, role: str, *, by: str
) -> None:
    """Take ``role`` in ``group`` from ``account``; recorded. A group keeps one organizer."""
    check_role(role)
    held = await session.scalar(
        select(Role).where(
            Role.account_id == account.id, Role.group_id == group.id, Role.role == role
        )
    )
    if held is None:
        raise RoleError(
            "%(account)s is not %(role)s of %(group)s",
            account=account.username,
            role=role,
            group=group.name,
        )
    if role == ORGANIZER:
        others = await session.scalar(
            select(Role.id).where(
                Role.group_id == group.id, Role.role == ORGANIZER, Role.account_id != account.id
            )
        )
        if others is None:
            raise RoleError(
                "%(account)s is the last organizer of %(group)s: make someone else organizer first",
                account=account.username,
                group=group.name,
            )
    await session.delete(held)
    await record(session, by, "revoke", group, f"{role} from {account.username}")
