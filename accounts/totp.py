"""The optional second step of signing in: a time-based one-time code (TOTP, RFC 6238).

pyotp generates and checks the codes; a code from the step before or after the current
one is accepted, for clocks a little apart.
"""

from __future__ import annotations

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.audit import record
from accounts.models import Account
from accounts.passwords import password_matches
from documents.errors import UserError


class CodeRefused(UserError):
    """A one-time code that is not the current one, or a password that is wrong."""


def new_secret() -> str:
    """A fresh shared secret (base32) for an authenticator app."""
    return pyotp.random_base32()


def setup_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def code_matches(secret: str, code: str) -> bool:
    """True when ``code`` is the current code of ``secret`` (or the one next to it)."""
    digits = "".join(code.split())
    return digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=1)


async def turn_on(session: AsyncSession, account: Account, secret: str, code: str) -> None:
    """Require codes of ``secret`` at sign-in, once ``code`` proves the app has it."""
    if not code_matches(secret, code):
        raise CodeRefused("that code is not the current one: check the app's clock and try again")
    account.totp_secret = secret
    await record(session, account.username, "two-step sign-in on", None, account.username)


async def turn_off(session: AsyncSession, account: Account, password: str) -> None:
    """Stop asking ``account`` for codes, once its password is given again."""
    if not password_matches(account.password_hash, password):
        raise CodeRefused("wrong password")
    account.totp_secret = None
    await record(session, account.username, "two-step sign-in off", None, account.username)
