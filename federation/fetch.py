"""Fetching ActivityStreams/JRD documents (and plain files: `fetch_body`) within
``FetchPolicy``; posting activities is ``federation.delivery_client``'s.

Every request goes through the client from ``federation.safe_client.build_client``,
which checks the address connected to. Here the rest is enforced: allowed schemes
before any I/O, redirects followed by hand (each hop re-checked, loops refused), a
total deadline around the whole exchange including the body, a body size cap, the
content type, and that a document's ``id`` is the URL it was served from. Every
failure is a ``FetchError``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any, Literal, TypeVar

import httpx

from federation.fetch_errors import (
    BadContentType,
    BadStatus,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    IdMismatch,
    InvalidDocument,
    RedirectLoop,
    TooLarge,
    TooManyRedirects,
    UnsupportedURL,
)
from federation.safe_client import FetchPolicy

AS_PROFILE = "https://www.w3.org/ns/activitystreams"
AP_ACCEPT = f'application/activity+json, application/ld+json; profile="{AS_PROFILE}"'
JRD_ACCEPT = "application/jrd+json, application/json"
# What Mastodon sends; every server we know accepts it for inbox POSTs.
AP_CONTENT_TYPE = "application/activity+json"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
T = TypeVar("T")


@dataclass(frozen=True)
class FetchedDocument:
    """A JSON object fetched from ``final_url`` (the URL after redirects, no fragment)."""

    final_url: str
    data: dict[str, Any]
    headers: httpx.Headers


@dataclass(frozen=True)
class FetchedBody:
    """A plain body (any content type) fetched from ``final_url``, at most the cap asked."""

    final_url: str
    body: bytes


def check_url(url: str | httpx.URL, policy: FetchPolicy) -> httpx.URL:
    """``url`` parsed, if its scheme is allowed and it names a host; else ``UnsupportedURL``."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsupportedURL(f"malformed URL: {exc}", url=str(url)) from exc
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if parsed.scheme not in allowed:
        raise UnsupportedURL(f"scheme {parsed.scheme or '(none)'!r} is not allowed", url=str(url))
    if not parsed.host:
        raise UnsupportedURL("URL has no host", url=str(url))
    if parsed.userinfo:
        raise UnsupportedURL("URL carries credentials", url=str(url))
    return parsed


async def fetch_document(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: FetchPolicy,
    accept: str = AP_ACCEPT,
    auth: httpx.Auth | None = None,
    kind: Literal["activity", "jrd"] = "activity",
) -> FetchedDocument:
    """GET a JSON document, following at most ``policy.max_redirects`` redirects.

    ``kind="activity"`` requires an ActivityStreams content type and an ``id`` equal to
    the final URL; ``kind="jrd"`` accepts ``application/jrd+json`` or ``application/json``.
    """

    async def read(response: httpx.Response) -> FetchedDocument:
        return await _document(response, policy, kind)

    return await _fetch(client, url, policy, accept, auth, read)


async def fetch_body(
    client: httpx.AsyncClient, url: str, *, policy: FetchPolicy, accept: str, max_bytes: int
) -> FetchedBody:
    """GET any document (a CSV file, say) of at most ``max_bytes``, unsigned, redirects
    followed as for `fetch_document`; a status other than 200 is a ``BadStatus``."""

    async def read(response: httpx.Response) -> FetchedBody:
        final_url = _without_fragment(response.url)
        if response.status_code != 200:
            raise BadStatus(response.status_code, url=final_url)
        body = await _read_capped(response, max_bytes)
        return FetchedBody(final_url, body)

    return await _fetch(client, url, policy, accept, None, read)


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    accept: str,
    auth: httpx.Auth | None,
    read: Callable[[httpx.Response], Awaitable[T]],
) -> T:
    target = check_url(url, policy)
    try:
        async with asyncio.timeout(policy.total_timeout):
            return await _follow(client, target, policy, accept, auth, read)
    except TimeoutError as exc:
        reason = f"no complete answer within {policy.total_timeout:g} s"
        raise FetchTimeout(reason, url=url) from exc


async def _follow(
    client: httpx.AsyncClient,
    target: httpx.URL,
    policy: FetchPolicy,
    accept: str,
    auth: httpx.Auth | None,
    read: Callable[[httpx.Response], Awaitable[T]],
) -> T:
    seen = {_without_fragment(target)}
    for _ in range(policy.max_redirects + 1):
        with _transport_errors(str(target)):
            request = client.build_request("GET", target, headers={"Accept": accept})
            response = await client.send(request, auth=auth, stream=True)
            try:
                if response.status_code not in _REDIRECTS:
                    return await read(response)
                target = _next_hop(response, policy, seen)
            finally:
                await response.aclose()
    raise TooManyRedirects(f"more than {policy.max_redirects} redirects", url=str(target))


def _next_hop(response: httpx.Response, policy: FetchPolicy, seen: set[str]) -> httpx.URL:
    location = response.headers.get("Location")
    if not location:
        raise FetchError("redirect without a Location", url=str(response.url))
    try:
        joined = response.url.join(location)
    except httpx.InvalidURL as exc:
        raise UnsupportedURL(f"bad redirect Location: {exc}", url=str(response.url)) from exc
    target = check_url(joined, policy)
    key = _without_fragment(target)
    if key in seen:
        raise RedirectLoop(f"redirect loop back to {key}", url=str(response.url))
    seen.add(key)
    return target


async def _document(
    response: httpx.Response, policy: FetchPolicy, kind: Literal["activity", "jrd"]
) -> FetchedDocument:
    final_url = _without_fragment(response.url)
    if response.status_code != 200:
        raise BadStatus(response.status_code, url=final_url)
    _check_content_type(response.headers.get("Content-Type", ""), kind, final_url)
    body = await _read_capped(response, policy.max_bytes)
    try:
        data = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidDocument(f"body is not JSON: {exc}", url=final_url) from exc
    if not isinstance(data, dict):
        raise InvalidDocument("top level of the JSON is not an object", url=final_url)
    if kind == "activity":
        _check_id(data, final_url)
    return FetchedDocument(final_url=final_url, data=data, headers=response.headers)


def _check_content_type(value: str, kind: Literal["activity", "jrd"], url: str) -> None:
    header = Message()
    header["Content-Type"] = value
    media = header.get_content_type() if value else "(none)"
    if kind == "jrd":
        ok = media in ("application/jrd+json", "application/json")
    else:
        profile = header.get_param("profile")
        profiles = profile.split() if isinstance(profile, str) else []
        ok = media == "application/activity+json" or (
            media == "application/ld+json" and AS_PROFILE in profiles
        )
    if not ok:
        raise BadContentType(f"content type {value or media!r} is not allowed for {kind}", url=url)


def _check_id(data: dict[str, Any], final_url: str) -> None:
    doc_id = data.get("id")
    try:
        same = isinstance(doc_id, str) and _without_fragment(httpx.URL(doc_id)) == final_url
    except httpx.InvalidURL:
        same = False
    if not same:
        raise IdMismatch(f"document id {doc_id!r} is not the URL it was served from", url=final_url)


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"Content-Length {declared} exceeds {limit} bytes", url=str(response.url))
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"body exceeds {limit} bytes", url=str(response.url))
    return bytes(body)


def _without_fragment(url: httpx.URL) -> str:
    return str(url.copy_with(fragment=None))


@contextmanager
def _transport_errors(url: str) -> Iterator[None]:
    """Turn httpx's exceptions into ``FetchError`` kinds."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"timed out: {exc}", url=url) from exc
    except httpx.ConnectError as exc:
        raise ConnectFailed(f"cannot connect: {exc}", url=url) from exc
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise FetchError(f"request failed: {exc}", url=url) from exc
