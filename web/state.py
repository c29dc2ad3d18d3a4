"""Typed access to what the application keeps on ``app.state``."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request

from actors.instance import Context
from web.ratelimit import RateLimiter
from web.settings import Settings
from web.signing import Signer


def app_context(request: Request) -> Context:
    """The running instance's context."""
    return cast(Context, request.app.state.ctx)


def app_inbox_limiter(request: Request) -> RateLimiter:
    """The per-remote-host limiter of the inboxes."""
    return cast(RateLimiter, request.app.state.inbox_limiter)


def app_settings(request: Request) -> Settings:
    """The instance settings."""
    return cast(Settings, request.app.state.settings)


def app_signer(request: Request) -> Signer:
    """The signer of session cookies and CSRF tokens."""
    return cast(Signer, request.app.state.signer)
