"""Origins of URLs, normalised the way a browser would, for the same-origin rules.

An activity may only speak for objects on its actor's origin (Mastodon CVE-2024-23832
was a spoof that slipped through a sloppy comparison). Two spellings of one server
must compare equal and two servers must never: hosts are lowercased, internationalised
names turned into punycode (IDNA, UTS #46 mapping), a trailing dot dropped, IP literals
written canonically, and the scheme's default port dropped.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

import idna

DEFAULT_PORTS = {"http": 80, "https": 443}
_ASCII_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")


class OriginError(ValueError):
    """The URL has no usable http(s) origin (wrong scheme, no host, bad host or port)."""


class Origin(NamedTuple):
    """A normalised (scheme, host, port); ``port`` is None for the scheme's default."""

    scheme: str
    host: str
    port: int | None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


@functools.lru_cache(maxsize=4096)
def normalize_host(host: str) -> str:
    """``host`` lowercased, in punycode, without a trailing dot; IP literals canonical.

    Raises ``OriginError`` for anything that is not a plausible host name. Remembered
    per process: peers' hosts come back again and again.
    """
    bare = host.strip().removeprefix("[").removesuffix("]")
    if _maybe_ip(bare):
        try:
            return str(ipaddress.ip_address(bare))
        except ValueError:
            pass
    name = bare.rstrip(".") if bare.endswith(".") and not bare.endswith("..") else bare
    if name.isascii():
        name = name.lower()
    else:
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise OriginError(f"invalid host name {host!r}: {exc}") from exc
    if not _ASCII_HOST.fullmatch(name) or len(name) > 253:
        raise OriginError(f"invalid host name {host!r}")
    return name


def _maybe_ip(host: str) -> bool:
    # Only digits and dots (IPv4) or a colon (IPv6) can be an IP literal: names skip
    # the ``ip_address`` attempt, whose ValueError costs more than the whole check.
    return ":" in host or host.replace(".", "").isdigit()


def origin_of(url: str) -> Origin:
    """The normalised origin of an http(s) URL; ``OriginError`` when it has none."""
    if not isinstance(url, str):
        raise OriginError("a URL must be a string")
    return _origin_of(url)


@functools.lru_cache(maxsize=8192)
def _origin_of(url: str) -> Origin:
    # Remembered: an inbox checks the same activity id and actor several times per
    # request (shape, then origin rules), and peers' actor URLs come back again and again.
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OriginError(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme not in DEFAULT_PORTS:
        raise OriginError(f"{url!r} is not an http(s) URL")
    if not parts.hostname:
        raise OriginError(f"{url!r} has no host")
    # ``hostname`` is already lowercased ASCII-wise and unbracketed by urlsplit.
    host = normalize_host(parts.hostname)
    return Origin(parts.scheme, host, None if port == DEFAULT_PORTS[parts.scheme] else port)


@functools.lru_cache(maxsize=4096)
def origin_or_none(url: str) -> Origin | None:
    """`origin_of`, or None when the URL has no usable origin.

    Remembered apart from `origin_of`: the inbox asks this of the same few key ids and
    actors on every request, and a bad one would otherwise raise every time.
    """
    try:
        return origin_of(url)
    except OriginError:
        return None


def is_http_url(value: object) -> bool:
    """True when ``value`` is a string holding an http(s) URL with a usable origin."""
    return isinstance(value, str) and origin_or_none(value) is not None


def host_of(url: str) -> str:
    """The normalised host of an http(s) URL, without the port (what domain rules match)."""
    return origin_of(url).host


def netloc_of(url: str) -> str:
    """The ``host[:port]`` of a URL as written, lowercased: one server, port included.

    Not normalised like `host_of`: delivery rows, host health and stored actors key by
    it, so two servers on one host (on different ports) are told apart.
    """
    return urlsplit(url).netloc.lower()


def same_origin(url_a: str, url_b: str) -> bool:
    """True when both URLs are http(s) URLs with the same normalised origin.

    A URL that has no usable origin is never the same origin as anything.
    """
    try:
        return origin_of(url_a) == origin_of(url_b)
    except OriginError:
        return False


def host_matches(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains (both normalised)."""
    return host == domain or host.endswith("." + domain)


def parent_domains(host: str) -> list[str]:
    """``host`` and every domain above it: ``a.b.example`` → ``[a.b.example, b.example, example]``.

    IP literals have no parents. Used to look up domain rules with one indexed query.
    """
    if _maybe_ip(host):
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]
