"""Signed cookies and CSRF tokens, keyed by ``MUTUALS_SECRET_KEY`` (HMAC-SHA256, stdlib).

The session cookie is ``TOKEN.SIGNATURE``: a cookie not signed with this instance's key
is refused before the database is asked, and changing the key signs everyone out. A
form carries ``HMAC(key, "csrf:" + the csrf cookie)``; a POST whose field does not match
its cookie is refused (double submit, bound to the key). Both cookies are ``HttpOnly``,
``SameSite=Lax`` and, outside development mode, ``Secure``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "mutuals_session"
CSRF_COOKIE = "mutuals_csrf"
CSRF_FIELD = "csrf"


class Signer:
    """Signs and checks values with the instance's secret key."""

    def __init__(self, secret_key: str, *, secure: bool) -> None:
        # Development mode may run without a key: a random one lasts as long as the process.
        self._key = (secret_key or secrets.token_urlsafe(32)).encode()
        self.secure = secure

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def sign(self, token: str) -> str:
        """``token`` with its signature, for the session cookie."""
        return f"{token}.{self._mac('session', token)}"

    def unsign(self, cookie: str) -> str | None:
        """The token of a cookie this key signed; None for anything else."""
        token, _, mac = cookie.rpartition(".")
        if token and hmac.compare_digest(mac, self._mac("session", token)):
            return token
        return None

    def csrf_field(self, cookie: str) -> str:
        """The value forms carry for the csrf cookie ``cookie``."""
        return self._mac("csrf", cookie)

    def csrf_ok(self, cookie: str | None, field: str | None) -> bool:
        """True when a form's field matches its csrf cookie."""
        if not cookie or not field:
            return False
        return hmac.compare_digest(field, self.csrf_field(cookie))

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        """Set an ``HttpOnly``, ``SameSite=Lax`` cookie (``Secure`` outside development)."""
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="lax", secure=self.secure
        )


def csrf_cookie(request: Request) -> tuple[str, bool]:
    """The request's csrf cookie, or a new one; True when it is new (and must be set)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and len(existing) >= 32:
        return existing, False
    return secrets.token_urlsafe(32), True
