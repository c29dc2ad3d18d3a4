"""One-time links: an invitation to join a group with a role, or a password reset.

The link carries a random token; the database keeps only its hash, the purpose and the
expiry. Using a link marks it used in the same transaction as what it does.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.accounts import create_account, set_password
from accounts.audit import record
from accounts.models import Account, OneTimeLink
from accounts.roles import check_role, grant
from accounts.tokens import new_token, token_hash
from actors.models import Group
from documents.errors import UserError
from store.db import utcnow

INVITE, RESET = "invite", "reset"
INVITE_VALID = dt.timedelta(days=7)
RESET_VALID = dt.timedelta(days=1)


class LinkError(UserError):
    """A link that is unknown, used or expired."""


async def invite(session: AsyncSession, group: Group, role: str, *, by: str) -> str:
    """A token inviting a new person into ``group`` as ``role``, valid `INVITE_VALID`."""
    check_role(role)
    token = new_token()
    session.add(
        OneTimeLink(
            token_hash=token_hash(token),
            purpose=INVITE,
            group_id=group.id,
            role=role,
            created_by=by,
            expires_at=utcnow() + INVITE_VALID,
        )
    )
    await record(session, by, "invite", group, f"as {role}")
    return token


async def reset_link(session: AsyncSession, account: Account, *, by: str) -> str:
    """A token letting ``account``'s owner choose a new password, valid `RESET_VALID`."""
    token = new_token()
    session.add(
        OneTimeLink(
            token_hash=token_hash(token),
            purpose=RESET,
            account_id=account.id,
            created_by=by,
            expires_at=utcnow() + RESET_VALID,
        )
    )
    await record(session, by, "password reset link", None, account.username)
    return token


async def open_link(session: AsyncSession, token: str, purpose: str) -> OneTimeLink:
    """The unused, unexpired link of ``purpose`` that ``token`` opens; else a `LinkError`."""
    link = await session.scalar(
        select(OneTimeLink).where(
            OneTimeLink.token_hash == token_hash(token), OneTimeLink.purpose == purpose
        )
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise LinkError("this link is unknown, used or expired: ask for a new one")
    return link


async def accept_invitation(
    session: AsyncSession, token: str, username: str, password: str
) -> Account:
    """Create the invited person's account and grant the role the link names."""
    link = await open_link(session, token, INVITE)
    group = await session.get(Group, link.group_id)
    if group is None or link.role is None:
        raise LinkError("the group of this invitation is gone")
    account = await create_account(session, username, password, by=username)
    await grant(session, account, group, link.role, by=f"{username} (invited by {link.created_by})")
    link.used_at = utcnow()
    return account


async def reset_password(session: AsyncSession, token: str, password: str) -> Account:
    """Set the password of the account the reset link names; every session is signed out."""
    link = await open_link(session, token, RESET)
    account = await session.get(Account, link.account_id)
    if account is None or account.disabled:
        raise LinkError("this account is disabled: ask an admin")
    await set_password(session, account, password)
    link.used_at = utcnow()
    return account
