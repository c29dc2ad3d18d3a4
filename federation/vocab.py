"""ActivityStreams vocabulary helpers: constants, tolerant accessors, content negotiation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})

AP_CONTENT_TYPE = "application/activity+json"
LD_CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

_AP_MEDIA_TYPES = frozenset({"application/activity+json", "application/ld+json"})
_HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list: None -> [], a list -> a copy, anything else -> [value]."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def get_id(value: Any) -> str | None:
    """Return the IRI of a reference: a non-empty string, or a dict's "id" (else "href")."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        for key in ("id", "href"):
            found = value.get(key)
            if isinstance(found, str) and found:
                return found
    return None


def _types(obj: Any) -> list[str]:
    if not isinstance(obj, Mapping):
        return []
    return [t for t in as_list(obj.get("type")) if isinstance(t, str)]


def first_type(obj: Any) -> str | None:
    """Return the first string in ``obj["type"]`` (a string or a list), or None."""
    types = _types(obj)
    return types[0] if types else None


def has_type(obj: Any, *types: str) -> bool:
    """Return True if any of ``obj``'s types is one of ``types``."""
    return any(t in types for t in _types(obj))


def is_public(addr: Any) -> bool:
    """Return True if ``addr`` (an IRI or an object with an id) is the Public collection."""
    return get_id(addr) in PUBLIC_ALIASES


def addressed_publicly(doc: dict[str, Any]) -> bool:
    """True when the object names the Public collection in its ``to`` or ``cc`` (public or
    unlisted); followers-only and direct objects do not."""
    return any(is_public(addr) for key in ("to", "cc") for addr in as_list(doc.get(key)))


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def accepts_activity_json(accept_header: str) -> bool:
    """Return True if an Accept header asks for ActivityPub JSON rather than HTML.

    ``application/activity+json`` and ``application/ld+json`` (any profile) count;
    ``application/json`` and wildcards do not, so browsers get HTML. Ranges with
    ``q=0`` are refused, and HTML listed with a strictly higher q wins.
    """
    best_ap = 0.0
    best_html = 0.0
    for media_range in accept_header.split(","):
        media_type, *params = media_range.split(";")
        media_type = media_type.strip().lower()
        q = _quality(params)
        if media_type in _AP_MEDIA_TYPES:
            best_ap = max(best_ap, q)
        elif media_type in _HTML_MEDIA_TYPES:
            best_html = max(best_html, q)
    return best_ap > 0.0 and best_ap >= best_html
