"""Whole responses served from a per-process cache, with ``ETag`` and ``Last-Modified``.

Public pages and outbox pages are read far more often than they change: the first
request builds the response, the next ones are answered with its bytes until the cache
(`web.cache.pages`) drops it. Every answer carries a strong ``ETag`` (a hash of the
body) and ``Last-Modified`` (when the body was built); a conditional request whose
validator still matches gets ``304 Not Modified`` (RFC 9110 §13.1).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from web.cache import pages
from web.negotiation import header

# Headers a 304 repeats (RFC 9110 §15.4.5); Content-Type and the body are left out.
_KEPT_ON_304 = ("etag", "last-modified", "vary", "cache-control", "content-location")


@dataclass(frozen=True)
class CachedResponse:
    """A built 200 response: its body, headers (encoded once) and validators."""

    body: bytes
    raw_headers: list[tuple[bytes, bytes]]
    etag: str
    modified: int  # seconds since the epoch

    @classmethod
    def of(cls, response: Response) -> CachedResponse:
        """Keep ``response`` (already rendered), adding its validators."""
        body = bytes(response.body)
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        modified = int(time.time())
        headers = dict(response.headers.items())
        headers.update({"etag": etag, "last-modified": formatdate(modified, usegmt=True)})
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
        return cls(body, raw, etag, modified)

    def answer(self, request: Request) -> Response:
        """200 with the body, or 304 when the request's validators still match."""
        if self._unchanged_for(request):
            kept = [(k, v) for k, v in self.raw_headers if k.decode() in _KEPT_ON_304]
            return _prebuilt(304, b"", kept)
        return _prebuilt(200, self.body, self.raw_headers)

    def _unchanged_for(self, request: Request) -> bool:
        matches = header(request, b"if-none-match")
        if matches is not None:  # takes precedence over If-Modified-Since
            tags = {tag.strip().removeprefix("W/") for tag in matches.split(",")}
            return "*" in tags or self.etag in tags
        since = header(request, b"if-modified-since")
        if since is None:
            return False
        try:
            return self.modified <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False  # an unparseable date is ignored (RFC 9110 §13.1.3)


def _prebuilt(status: int, body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> Response:
    # The headers were encoded when the entry was built: a hit copies them instead of
    # encoding each again (what Response(headers=...) does), the largest cost left.
    response = Response(status_code=status)
    response.body = body
    response.raw_headers = list(raw_headers)
    return response


async def cached_response(
    request: Request, key: Hashable, build: Callable[[], Awaitable[Response]]
) -> Response:
    """The response for ``key``: from the cache, else ``build()`` (kept when it is a 200)."""
    cache = pages(request)
    entry: CachedResponse | None = cache.get(key)
    if entry is None:
        response = await build()
        if response.status_code != 200:
            return response
        entry = CachedResponse.of(response)
        cache.put(key, entry)
    return entry.answer(request)
