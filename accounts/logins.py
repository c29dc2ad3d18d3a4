"""Signing in: checking a password, with failed attempts limited per account and address.

Failures are rows (`LoginFailure`), so the limit holds across web processes. Beyond
`PER_ACCOUNT` failures for one username, or `PER_ADDRESS` from one address, within
`WINDOW`, sign-in is refused until the oldest of them is older than `WINDOW`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.accounts import find_account
from accounts.models import Account, LoginFailure
from accounts.passwords import hash_password, needs_rehash, password_matches
from accounts.totp import code_matches
from documents.errors import UserError
from store.db import utcnow

WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20


class LoginRefused(UserError):
    """Wrong username or password, or too many attempts; ``str()`` says which, for the form."""


async def _limited(session: AsyncSession, username: str, address: str) -> int | None:
    """In how many minutes sign-in is allowed again, or None when it is now."""
    now = utcnow()
    for column, value, limit in (
        (LoginFailure.username, username, PER_ACCOUNT),
        (LoginFailure.address, address, PER_ADDRESS),
    ):
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    column == value, LoginFailure.at > now - WINDOW
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            return max(1, round((oldest + WINDOW - now).total_seconds() / 60))
    return None


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that answer takes as long."""
    return hash_password("not-a-password-of-anyone")


async def sign_in(
    session: AsyncSession, username: str, password: str, address: str, code: str = ""
) -> Account:
    """The account ``username`` and ``password`` (and, if it asks for one, ``code``) open;
    else a `LoginRefused` to show. A wrong code counts as a failure, like a wrong password.

    The caller commits: a failure is recorded even though sign-in is refused.
    """
    name = username.strip().lower()[:100]
    minutes = await _limited(session, name, address)
    if minutes is not None:
        raise LoginRefused(
            "too many failed sign-ins: try again in %(minutes)s minute(s)", minutes=minutes
        )
    account = await find_account(session, name) if name else None
    ok = password_matches(account.password_hash if account else _dummy_hash(), password)
    if account is None or not ok:
        session.add(LoginFailure(username=name, address=address[:64]))
        raise LoginRefused("wrong username or password")
    if account.disabled:
        raise LoginRefused("this account is disabled: ask an admin of this instance")
    if account.totp_secret is not None and not code_matches(account.totp_secret, code):
        session.add(LoginFailure(username=name, address=address[:64]))
        if not code.strip():
            raise LoginRefused("enter the current code of your authenticator app")
        raise LoginRefused("that code is not the current one")
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    await session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    return account
