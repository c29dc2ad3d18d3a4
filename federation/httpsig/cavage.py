"""draft-cavage-http-signatures-12: parse, build the signing string, sign, verify.

This module checks cryptography only. Which headers must be covered and how
old a signature may be is decided by `verify.py`.

Algorithms: ``rsa-sha256``, and ``hs2019`` (the key decides: RSA means
PKCS#1 v1.5 with SHA-256, as Mastodon does; Ed25519 means Ed25519), plus the
non-standard ``ed25519`` name some servers send.
"""

import base64
import binascii
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import SignatureError
from .keys import (
    ED25519,
    RSA_V1_5_SHA256,
    PrivateKey,
    PublicKey,
    default_algorithm,
    sign_bytes,
    verify_bytes,
)

REQUEST_TARGET = "(request-target)"
CREATED = "(created)"
EXPIRES = "(expires)"
ALGORITHMS = frozenset({"rsa-sha256", "hs2019", "ed25519"})

_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([0-9]+))\s*(?:,|$)')
_NUMERIC = frozenset({"created", "expires"})


@dataclass(frozen=True)
class CavageSignature:
    """The parsed parameters of a draft-cavage ``Signature`` header."""

    key_id: str
    algorithm: str | None
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def _default_headers(algorithm: str | None) -> tuple[str, ...]:
    # Section 2.1.6 of draft 12 says "(created)"; drafts up to 10 said "date".
    # Like Mastodon, keep "date" for the legacy rsa-sha256 name.
    return (CREATED,) if algorithm in (None, "hs2019") else ("date",)


@functools.lru_cache(maxsize=256)
def parse_signature_header(value: str) -> CavageSignature:
    """Parse a ``Signature`` header (or ``Authorization: Signature …``) value.

    Remembered for a while: the inbox reads the key id from a header before it
    verifies the same header, so each request's header is parsed once.
    """
    text = value.strip()
    if text[:10].lower() == "signature ":
        text = text[10:]
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PARAM.match(text, pos)
        if match is None or match.end() == pos:
            raise SignatureError(f"malformed Signature header near {text[pos : pos + 20]!r}")
        name = match.group(1)
        quoted, number = match.group(2), match.group(3)
        if name in params:
            raise SignatureError(f"malformed Signature header: {name} given twice")
        if (number is not None) != (name in _NUMERIC):
            raise SignatureError(f"malformed Signature header: bad value for {name}")
        params[name] = quoted if quoted is not None else number
        pos = match.end()
    if not params.get("keyId"):
        raise SignatureError("malformed Signature header: keyId missing")
    if "signature" not in params:
        raise SignatureError("malformed Signature header: signature missing")
    try:
        raw = base64.b64decode("".join(params["signature"].split()), validate=True)
    except binascii.Error:
        raise SignatureError("malformed Signature header: signature is not base64") from None
    algorithm = params["algorithm"].lower() if "algorithm" in params else None
    headers = params.get("headers")
    return CavageSignature(
        key_id=params["keyId"],
        algorithm=algorithm,
        headers=tuple(headers.lower().split()) if headers else _default_headers(algorithm),
        signature=raw,
        created=int(params["created"]) if "created" in params else None,
        expires=int(params["expires"]) if "expires" in params else None,
    )


def format_signature_header(sig: CavageSignature) -> str:
    """Serialise ``sig`` as a ``Signature`` header value, in Mastodon's order."""
    parts = [f'keyId="{sig.key_id}"']
    if sig.algorithm is not None:
        parts.append(f'algorithm="{sig.algorithm}"')
    if sig.created is not None:
        parts.append(f"created={sig.created}")
    if sig.expires is not None:
        parts.append(f"expires={sig.expires}")
    parts.append(f'headers="{" ".join(sig.headers)}"')
    parts.append(f'signature="{base64.b64encode(sig.signature).decode("ascii")}"')
    return ",".join(parts)


def signing_string(
    covered: Sequence[str],
    method: str,
    target: str,
    headers: Mapping[str, str],
    *,
    algorithm: str | None = None,
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """Build the string to sign (section 2.3).

    ``target`` is the path and query; ``headers`` must be normalised
    (lowercase names, see `fields.normalize_headers`).
    """
    lines = []
    for name in covered:
        if name == REQUEST_TARGET:
            lines.append(f"{name}: {method.lower()} {target}")
        elif name in (CREATED, EXPIRES):
            value = created if name == CREATED else expires
            # Section 2.3: these pseudo-headers are not allowed with rsa-*, hmac-*, ecdsa-*.
            if algorithm is not None and algorithm.startswith(("rsa", "hmac", "ecdsa")):
                raise SignatureError(f"{name} may not be signed with algorithm {algorithm}")
            if value is None:
                raise SignatureError(f"{name} is signed but its parameter is missing")
            lines.append(f"{name}: {value}")
        elif name in headers:
            if "\n" in headers[name] or "\r" in headers[name]:
                raise SignatureError(f"header {name!r} contains a line break")
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name!r} is missing from the request")
    return "\n".join(lines)


def _key_algorithm(algorithm: str | None, key: PublicKey | PrivateKey) -> str:
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {algorithm!r}")
    if algorithm == "rsa-sha256":
        return RSA_V1_5_SHA256
    if algorithm == "ed25519":
        return ED25519
    return default_algorithm(key)


def verify_signature(
    sig: CavageSignature,
    method: str,
    target: str,
    headers: Mapping[str, str],
    public_key: PublicKey,
) -> None:
    """Check the cryptographic signature in ``sig``; raise `SignatureError` if wrong."""
    text = signing_string(
        sig.headers,
        method,
        target,
        headers,
        algorithm=sig.algorithm,
        created=sig.created,
        expires=sig.expires,
    )
    verify_bytes(
        _key_algorithm(sig.algorithm, public_key), public_key, text.encode(), sig.signature
    )


def sign(
    covered: Sequence[str],
    method: str,
    target: str,
    headers: Mapping[str, str],
    *,
    key_id: str,
    private_key: PrivateKey,
    algorithm: str | None = None,
) -> str:
    """Sign the request and return the ``Signature`` header value.

    ``algorithm`` defaults to ``rsa-sha256`` for RSA keys (what Mastodon sends)
    and ``hs2019`` otherwise.
    """
    if algorithm is None:
        rsa = default_algorithm(private_key) == RSA_V1_5_SHA256
        algorithm = "rsa-sha256" if rsa else "hs2019"
    text = signing_string(covered, method, target, headers, algorithm=algorithm)
    raw = sign_bytes(_key_algorithm(algorithm, private_key), private_key, text.encode())
    sig = CavageSignature(key_id=key_id, algorithm=algorithm, headers=tuple(covered), signature=raw)
    return format_signature_header(sig)
