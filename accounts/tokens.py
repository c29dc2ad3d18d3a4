"""Random tokens handed out once (cookies, links), of which only a hash is kept."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh unguessable token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of ``token``, hex: what the database stores and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()
