"""The front door: find a request's key id, then verify its signature.

Used by the inbox and by signed GET routes::

    key_id = signature_key_id(method, headers)      # look the key up
    verified = verify_request(method, url, headers, body, key)

Both draft-cavage (``Signature``) and RFC 9421 (``Signature-Input`` +
``Signature``) are understood; when both are present RFC 9421 wins. With
several RFC 9421 signatures only the first label is used: we pick one key to
fetch, and a sender adding signatures for others puts its own first.

Policy on top of the cryptography, for both schemes:

* the signature must cover the method and target (cavage ``(request-target)``;
  RFC 9421 ``@method`` plus ``@target-uri``, or ``@authority`` and ``@path``
  and, when the URL has a query, ``@query``), and the host (cavage ``host``);
* a request with a body (and every POST) must cover the digest header
  (``digest`` / ``content-digest``), and that header must match the body;
* the signing time (``Date``, cavage ``created`` or RFC 9421 ``created``) must
  be at most `MAX_AGE` old and at most `MAX_SKEW` ahead; ``expires``, when
  given, is honoured with `EXPIRES_LEEWAY` for clock drift.
"""

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

from . import cavage, rfc9421
from .digest import verify_content_digest, verify_digest_header
from .errors import SignatureError
from .fields import NormalizedHeaders, authority, normalize_headers, path_and_query
from .keys import PublicKey

Scheme = Literal["cavage", "rfc9421"]

MAX_AGE = timedelta(hours=12)
MAX_SKEW = timedelta(hours=1)
EXPIRES_LEEWAY = timedelta(minutes=1)


@dataclass(frozen=True)
class VerifiedSignature:
    """What a successful verification tells the caller."""

    key_id: str
    scheme: Scheme


def _scheme(headers: Mapping[str, str]) -> Scheme:
    if "signature-input" in headers:
        return "rfc9421"
    if "signature" in headers or headers.get("authorization", "")[:10].lower() == "signature ":
        return "cavage"
    raise SignatureError("no signature")


def _cavage_header(headers: Mapping[str, str]) -> str:
    return headers.get("signature") or headers["authorization"]


def _first_9421(headers: Mapping[str, str]) -> rfc9421.MessageSignature:
    if "signature" not in headers:
        raise SignatureError("Signature-Input without a Signature header")
    return rfc9421.parse_signatures(headers["signature-input"], headers["signature"])[0]


def signature_key_id(method: str, headers: Mapping[str, str]) -> str:
    """The key id the request claims to be signed with, without verifying anything.

    Raises `SignatureError` ("no signature", "malformed … header: …").
    ``method`` is accepted for symmetry with `verify_request`.
    """
    del method
    fields = normalize_headers(headers)
    if _scheme(fields) == "cavage":
        return cavage.parse_signature_header(_cavage_header(fields)).key_id
    key_id = _first_9421(fields).key_id
    if not key_id:
        raise SignatureError("malformed Signature-Input header: keyid missing")
    return key_id


def _check_time(label: str, when: datetime, now: datetime) -> None:
    if when > now + MAX_SKEW:
        raise SignatureError(f"{label} is too far in the future")
    if when < now - MAX_AGE:
        raise SignatureError(f"{label} is too old")


def _check_expires(expires: int | None, now: datetime) -> None:
    if expires is not None and now > datetime.fromtimestamp(expires, UTC) + EXPIRES_LEEWAY:
        raise SignatureError("signature has expired")


def _signed_field(fields: Mapping[str, str], name: str) -> str:
    if name not in fields:
        raise SignatureError(f"signed header '{name}' is missing from the request")
    return fields[name]


def _check_date_header(fields: Mapping[str, str], now: datetime) -> None:
    when = _http_date(_signed_field(fields, "date"))
    if when is None:
        raise SignatureError("Date header is not a valid HTTP date")
    _check_time("Date header", when, now)


@functools.lru_cache(maxsize=64)
def _http_date(value: str) -> datetime | None:
    # Remembered: every request signed in the same second carries the same Date.
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


@dataclass(frozen=True)
class _Request:
    """What a signature is checked against: the request, with normalized headers, and the time."""

    method: str
    url: str
    fields: NormalizedHeaders
    body: bytes | None
    now: datetime

    @property
    def needs_digest(self) -> bool:
        """True when the signature must cover a digest of the body."""
        return bool(self.body) or self.method.upper() == "POST"


def _check_digest(
    request: _Request, covered: set[str], header: str, verify: Callable[[str, bytes], None]
) -> None:
    if not request.needs_digest:
        return
    if header not in covered:
        raise SignatureError(f"signature must cover {header} on a request with a body")
    verify(_signed_field(request.fields, header), request.body or b"")


def _check_host(fields: Mapping[str, str], url: str) -> None:
    # Cavage signs the Host header, not the URL: a signature made for another server
    # (with its Host header sent along) must not verify here.
    scheme = urlsplit(url).scheme
    try:
        claimed = authority(f"{scheme}://{fields.get('host', '').strip()}")
    except ValueError:
        claimed = ""
    if claimed != authority(url):
        raise SignatureError("the Host header does not name this server")


def _verify_cavage(request: _Request, key: PublicKey) -> VerifiedSignature:
    fields, now = request.fields, request.now
    sig = cavage.parse_signature_header(_cavage_header(fields))
    covered = set(sig.headers)
    if sig.algorithm is not None and sig.algorithm not in cavage.ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {sig.algorithm!r}")
    for required in (cavage.REQUEST_TARGET, "host"):
        if required not in covered:
            raise SignatureError(f"signature must cover {required}")
    _check_host(fields, request.url)
    if "date" not in covered and cavage.CREATED not in covered:
        raise SignatureError("signature must cover date or (created)")
    if "date" in covered:
        _check_date_header(fields, now)
    if cavage.CREATED in covered and sig.created is not None:
        _check_time("(created)", datetime.fromtimestamp(sig.created, UTC), now)
    _check_expires(sig.expires, now)
    _check_digest(request, covered, "digest", verify_digest_header)
    cavage.verify_signature(sig, request.method, path_and_query(request.url), fields, key)
    return VerifiedSignature(key_id=sig.key_id, scheme="cavage")


def _verify_9421(request: _Request, key: PublicKey) -> VerifiedSignature:
    fields, now = request.fields, request.now
    sig = _first_9421(fields)
    if not sig.key_id:
        raise SignatureError("malformed Signature-Input header: keyid missing")
    covered = set(sig.components)
    if sig.created is None:
        raise SignatureError("signature must have a created parameter")
    _check_time("created", datetime.fromtimestamp(sig.created, UTC), now)
    _check_expires(sig.expires, now)
    if "@method" not in covered:
        raise SignatureError("signature must cover @method")
    query_ok = not urlsplit(request.url).query or "@query" in covered
    if "@target-uri" not in covered and not (
        "@authority" in covered
        and ("@request-target" in covered or ("@path" in covered and query_ok))
    ):
        raise SignatureError("signature must cover @target-uri (or @authority, @path, @query)")
    if "date" in covered:
        _check_date_header(fields, now)
    _check_digest(request, covered, "content-digest", verify_content_digest)
    rfc9421.verify_signature(sig, request.method, request.url, fields, key)
    return VerifiedSignature(key_id=sig.key_id, scheme="rfc9421")


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key: PublicKey,
    *,
    now: datetime | None = None,
) -> VerifiedSignature:
    """Verify the request's signature with ``public_key`` or raise `SignatureError`.

    ``url`` is the full URL as the server sees it (``scheme://host[:port]/path?query``);
    ``headers`` may be any mapping, in any case; ``body`` is the raw body.
    """
    request = _Request(method, url, normalize_headers(headers), body, now or datetime.now(UTC))
    if _scheme(request.fields) == "rfc9421":
        return _verify_9421(request, public_key)
    return _verify_cavage(request, public_key)
