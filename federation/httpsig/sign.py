"""Signing outgoing requests with either scheme."""

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime

from . import cavage, rfc9421
from .digest import content_digest_header, digest_header
from .fields import authority, normalize_headers, path_and_query
from .keys import PrivateKey
from .verify import Scheme


def _has_body(method: str, body: bytes | None) -> bool:
    return bool(body) or method.upper() == "POST"


def _cavage_covered(method: str, with_body: bool, fields: Mapping[str, str]) -> list[str]:
    # What Mastodon and bovine sign: GET over (request-target) host date accept,
    # POST over (request-target) host date digest content-type.
    covered = [cavage.REQUEST_TARGET, "host", "date"]
    extra = ["digest", "content-type"] if with_body else ["accept"]
    return covered + [name for name in extra if name in fields]


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    key_id: str,
    private_key: PrivateKey,
    scheme: Scheme = "cavage",
    now: datetime | None = None,
) -> dict[str, str]:
    """Sign a request; return the headers to add to it.

    Adds ``Date`` and ``Host`` when missing, the body digest (``Digest`` for
    cavage, ``Content-Digest`` for RFC 9421) when there is a body or the method
    is POST, and the signature headers. RFC 9421 signs
    ``("@method" "@target-uri" ["content-digest"] "date")`` with label ``sig1``
    and parameters ``created``, ``keyid``, ``alg``.
    """
    current = now or datetime.now(UTC)
    fields = normalize_headers(headers)
    added: dict[str, str] = {}
    if "date" not in fields:
        added["Date"] = format_datetime(current.astimezone(UTC), usegmt=True)
    if "host" not in fields:
        added["Host"] = authority(url)
    with_body = _has_body(method, body)
    if with_body:
        if scheme == "cavage":
            added["Digest"] = digest_header(body or b"")
        else:
            added["Content-Digest"] = content_digest_header(body or b"")
    fields.update(normalize_headers(added))

    if scheme == "cavage":
        covered = _cavage_covered(method, with_body, fields)
        added["Signature"] = cavage.sign(
            covered, method, path_and_query(url), fields, key_id=key_id, private_key=private_key
        )
        return added

    components = ["@method", "@target-uri"]
    if with_body:
        components.append("content-digest")
    components.append("date")
    sig_input, signature = rfc9421.sign(
        components,
        method,
        url,
        fields,
        key_id=key_id,
        private_key=private_key,
        created=int(current.timestamp()),
    )
    added["Signature-Input"] = sig_input
    added["Signature"] = signature
    return added
