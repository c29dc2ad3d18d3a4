"""Body digests: the legacy ``Digest`` header and RFC 9530 ``Content-Digest``.

``Digest`` (RFC 3230) is what draft-cavage signatures cover: we emit
``SHA-256=<base64>`` and accept any casing of the algorithm name, since bovine
sends ``sha-256=``. ``Content-Digest`` is a structured dictionary of byte
sequences, e.g. ``sha-256=:<base64>:``, covered by RFC 9421 signatures.
"""

import base64
import binascii
import hashlib
import hmac

from http_sfv.dictionary import Dictionary

from .errors import SignatureError

_HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def _hash(algorithm: str, body: bytes) -> bytes:
    return _HASHES[algorithm](body).digest()


def digest_header(body: bytes) -> str:
    """The ``Digest`` header value for ``body``: ``SHA-256=<base64>``."""
    return "SHA-256=" + base64.b64encode(_hash("sha-256", body)).decode("ascii")


def verify_digest_header(value: str, body: bytes) -> None:
    """Check a ``Digest`` header against ``body``.

    At least one of SHA-256 / SHA-512 must be offered, and every offered one
    we know must match; unknown algorithms are ignored.
    """
    checked = False
    for part in value.split(","):
        name, sep, encoded = part.strip().partition("=")
        algorithm = name.strip().lower()
        if not sep or algorithm not in _HASHES:
            continue
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise SignatureError("Digest header is not valid base64") from None
        if not hmac.compare_digest(given, _hash(algorithm, body)):
            raise SignatureError("Digest header does not match the body")
        checked = True
    if not checked:
        raise SignatureError("Digest header offers neither SHA-256 nor SHA-512")


def content_digest_header(body: bytes, algorithm: str = "sha-256") -> str:
    """The RFC 9530 ``Content-Digest`` value for ``body`` (``sha-256`` or ``sha-512``)."""
    if algorithm not in _HASHES:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")
    field = Dictionary()
    field[algorithm] = _hash(algorithm, body)
    return str(field)


def verify_content_digest(value: str, body: bytes) -> None:
    """Check an RFC 9530 ``Content-Digest`` header against ``body``.

    At least one of ``sha-256`` / ``sha-512`` must be present, and each of
    those present must match; other algorithms are ignored.
    """
    field = Dictionary()
    try:
        field.parse(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SignatureError("malformed Content-Digest header") from None
    checked = False
    for algorithm, member in field.items():
        if algorithm not in _HASHES:
            continue
        given = getattr(member, "value", None)
        if not isinstance(given, bytes):
            raise SignatureError("malformed Content-Digest header")
        if not hmac.compare_digest(given, _hash(algorithm, body)):
            raise SignatureError("Content-Digest header does not match the body")
        checked = True
    if not checked:
        raise SignatureError("Content-Digest header offers neither sha-256 nor sha-512")
