"""The one error family raised by outgoing requests: ``FetchError`` and its kinds.

Callers catch ``FetchError`` and never see an httpx or httpcore exception. Kinds that
say the whole host is unusable right now (refused address, unreachable, too slow)
set ``host_wide`` so ``FailureMemory`` can skip the host for a while.
"""

from __future__ import annotations

from typing import ClassVar


class FetchError(Exception):
    """A request to another server failed or its answer was refused."""

    host_wide: ClassVar[bool] = False

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(f"{reason} ({url})" if url else reason)
        self.reason = reason
        self.url = url


class UnsupportedURL(FetchError):
    """The URL is malformed or its scheme is not allowed (``file:``, ``data:``, …)."""


class ForbiddenAddress(FetchError):
    """The host resolved to (or is) a loopback, private or otherwise non-public address."""

    host_wide = True


class ConnectFailed(FetchError):
    """The host name did not resolve, or no connection could be opened."""

    host_wide = True


class FetchTimeout(FetchError):
    """The connection or the whole exchange took longer than the policy allows."""

    host_wide = True


class TooManyRedirects(FetchError):
    """More redirects than ``FetchPolicy.max_redirects``."""


class RedirectLoop(FetchError):
    """A redirect pointed back to a URL already visited."""


class BadStatus(FetchError):
    """The final response had a status other than 200."""

    def __init__(self, status_code: int, *, url: str | None = None) -> None:
        super().__init__(f"HTTP status {status_code}", url=url)
        self.status_code = status_code


class TooLarge(FetchError):
    """The body is (or claims to be) larger than ``FetchPolicy.max_bytes``."""


class BadContentType(FetchError):
    """The response's Content-Type is not one this kind of document may have."""


class InvalidDocument(FetchError):
    """The body is not JSON, or its top level is not an object."""


class IdMismatch(FetchError):
    """An ActivityStreams document's ``id`` is not the URL it was served from."""


class RecentlyFailed(FetchError):
    """Skipped: this URL or host failed a moment ago (see ``FailureMemory``)."""
