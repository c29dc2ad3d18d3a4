"""Header and URL helpers shared by both signature schemes."""

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_OBS_FOLD = re.compile(r"\r?\n[ \t]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class NormalizedHeaders(dict[str, str]):
    """Headers as `normalize_headers` returns them: normalising them again is free."""


def normalize_headers(headers: Mapping[str, str]) -> NormalizedHeaders:
    """Lowercase names, trim values, and join repeated fields with ``", "``.

    Both draft-cavage (section 2.3) and RFC 9421 (section 2.1) combine several
    lines of one field that way. ``items()`` is used, so mappings that yield a
    name more than once (Starlette's ``Headers``) or differently cased keys
    (a plain dict) are both combined. Obsolete line folding becomes one space.
    Headers already normalised are returned as they are (the inbox normalises once
    and every later step reuses them).
    """
    if isinstance(headers, NormalizedHeaders):
        return headers
    out = NormalizedHeaders()
    for name, value in headers.items():
        key = name.strip().lower()
        clean = _OBS_FOLD.sub(" ", value).strip()
        out[key] = f"{out[key]}, {clean}" if key in out else clean
    return out


def authority(url: str) -> str:
    """``host[:port]`` of ``url``, lowercased, without userinfo or a default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def path_and_query(url: str) -> str:
    """The origin-form request target of ``url``: path (at least ``/``) and ``?query``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path
