"""Login sessions: opened at sign-in, found from the cookie's token, listed and revoked.

A session ends when revoked (sign-out, a new password, the account disabled), after
`IDLE` without a request, or `LIFETIME` after it opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Account, LoginSession
from accounts.tokens import new_token, token_hash
from store.db import utcnow

IDLE = dt.timedelta(days=7)
LIFETIME = dt.timedelta(days=30)
TOUCH_EVERY = dt.timedelta(minutes=5)
"""``seen_at`` is written at most this often per session."""


async def open_session(
    session: AsyncSession, account: Account, *, address: str, user_agent: str
) -> str:
    """A new session for ``account``; the token to put in the cookie."""
    token = new_token()
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            account_id=account.id,
            address=address[:64],
            user_agent=user_agent[:300],
        )
    )
    return token


async def current(session: AsyncSession, token: str) -> tuple[LoginSession, Account] | None:
    """The live session ``token`` opens, and its enabled account; None otherwise."""
    query = (
        select(LoginSession, Account)
        .join(Account, Account.id == LoginSession.account_id)
        .where(LoginSession.token_hash == token_hash(token))
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    login, account = row
    now = utcnow()
    if (
        login.revoked_at is not None
        or account.disabled
        or now - login.seen_at > IDLE
        or now - login.created_at > LIFETIME
    ):
        return None
    if now - login.seen_at > TOUCH_EVERY:
        login.seen_at = now
    return login, account


async def sessions_of(session: AsyncSession, account: Account) -> Sequence[LoginSession]:
    """``account``'s sessions that were not revoked, newest first."""
    rows = await session.scalars(
        select(LoginSession)
        .where(LoginSession.account_id == account.id, LoginSession.revoked_at.is_(None))
        .order_by(LoginSession.id.desc())
    )
    return rows.all()


async def revoke_session(session: AsyncSession, account: Account, session_id: int) -> bool:
    """End one of ``account``'s own sessions; False when it has no such session."""
    login = await session.get(LoginSession, session_id)
    if login is None or login.account_id != account.id or login.revoked_at is not None:
        return False
    login.revoked_at = utcnow()
    return True
