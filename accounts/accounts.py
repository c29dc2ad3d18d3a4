"""Creating, finding, listing and disabling accounts, and setting their passwords."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.audit import record
from accounts.models import Account, LoginSession
from accounts.passwords import hash_password
from documents.errors import UserError
from store.db import utcnow

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,29}")


class AccountError(UserError):
    """An account that does not exist, exists already, or a name that cannot be one."""


def check_username(username: str) -> str:
    """``username`` in lower case, if it can be one; else an `AccountError` saying why."""
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "%(username)r cannot be a username: use 1 to 30 letters a-z, digits, '.', '_' "
            "or '-', starting with a letter or digit",
            username=username,
        )
    return name


async def find_account(session: AsyncSession, username: str) -> Account | None:
    """The account named ``username`` (any case), or None."""
    return await session.scalar(select(Account).where(Account.username == username.strip().lower()))


async def get_account(session: AsyncSession, username: str) -> Account:
    """The account named ``username``; an `AccountError` when there is none."""
    account = await find_account(session, username)
    if account is None:
        raise AccountError(
            "no account named %(username)r (see `mutuals account list`)", username=username
        )
    return account


async def create_account(
    session: AsyncSession, username: str, password: str, *, by: str, admin: bool = False
) -> Account:
    """A new account; refused when the name is taken or the password too weak."""
    name = check_username(username)
    if await find_account(session, name) is not None:
        raise AccountError("the username %(username)r is taken", username=name)
    account = Account(username=name, password_hash=hash_password(password), admin=admin)
    session.add(account)
    await session.flush()
    await record(session, by, "account created", None, name + (" (admin)" if admin else ""))
    return account


async def list_accounts(session: AsyncSession) -> Sequence[Account]:
    """Every account, by username."""
    return (await session.scalars(select(Account).order_by(Account.username))).all()


async def set_password(session: AsyncSession, account: Account, password: str) -> None:
    """Give ``account`` a new password and sign out every browser it was signed in on."""
    account.password_hash = hash_password(password)
    await revoke_all_sessions(session, account)


async def disable_account(session: AsyncSession, account: Account, *, by: str) -> None:
    """Stop ``account`` from signing in, and sign it out everywhere; recorded."""
    account.disabled = True
    await revoke_all_sessions(session, account)
    await record(session, by, "account disabled", None, account.username)


async def revoke_all_sessions(session: AsyncSession, account: Account) -> None:
    """Sign ``account`` out of every browser."""
    now = utcnow()
    for login in await session.scalars(
        select(LoginSession).where(
            LoginSession.account_id == account.id, LoginSession.revoked_at.is_(None)
        )
    ):
        login.revoked_at = now
