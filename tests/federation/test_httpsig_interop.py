"""Requests shaped like other servers' verify with our code, and ours with theirs."""

import base64
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from bovine.crypto import helper as bovine_helper
from bovine.crypto import http_signature as bovine_crypto
from bovine.crypto import signature as bovine_signature
from bovine.crypto import types as bovine_types
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.httpsig import cavage, sign_request, verify_request
from federation.httpsig.fields import normalize_headers

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
INBOX_URL = "https://groups.example/groups/garden/inbox"
BODY = b'{"type": "Follow", "object": "https://groups.example/groups/garden"}'
BOVINE_KEY_ID = "https://bovine.example/endpoints/abc#main"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_bovine_style_post_verifies(key: rsa.RSAPrivateKey) -> None:
    """bovine's signed_post: rsa-sha256, lowercase ``sha-256=`` Digest, ``#main`` key id."""

    date = format_datetime(NOW, usegmt=True)
    digest = bovine_helper.content_digest_sha256(BODY)
    assert digest.startswith("sha-256=")
    helper = (
        bovine_crypto.build_signature("groups.example", "post", "/groups/garden/inbox")
        .with_field("date", date)
        .with_field("digest", digest)
        .with_field("content-type", "application/activity+json")
    )
    secret = bovine_types.CryptographicSecret(key_id=BOVINE_KEY_ID, private_key=key)
    headers = {**helper.headers, "signature": helper.sign_for_http_draft(secret)}

    result = verify_request("POST", INBOX_URL, headers, BODY, key.public_key(), now=NOW)
    assert (result.key_id, result.scheme) == (BOVINE_KEY_ID, "cavage")


def test_bovine_shape_built_by_hand(key: rsa.RSAPrivateKey) -> None:
    """The same request built by hand, byte for byte, whatever bovine's version builds."""
    sha256 = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    headers = {
        "host": "groups.example",
        "date": format_datetime(NOW, usegmt=True),
        "digest": f"sha-256={sha256}",
        "content-type": "application/activity+json",
    }
    covered = ["(request-target)", "host", "date", "digest", "content-type"]
    headers["signature"] = cavage.sign(
        covered,
        "POST",
        "/groups/garden/inbox",
        normalize_headers(headers),
        key_id=BOVINE_KEY_ID,
        private_key=key,
    )
    result = verify_request("POST", INBOX_URL, headers, BODY, key.public_key(), now=NOW)
    assert result.key_id == BOVINE_KEY_ID


def test_bovine_verifies_what_we_sign(key: rsa.RSAPrivateKey) -> None:
    """bovine's own draft verifier accepts our cavage signature."""

    headers = {"Content-Type": "application/activity+json"}
    headers |= sign_request(
        "POST", INBOX_URL, headers, BODY, key_id=BOVINE_KEY_ID, private_key=key, now=NOW
    )
    fields = normalize_headers(headers)
    parsed = bovine_signature.Signature.from_signature_header(fields["signature"])
    helper = bovine_crypto.HttpSignature()
    for name in parsed.fields:
        value = "post /groups/garden/inbox" if name == "(request-target)" else fields[name]
        helper.with_field(name, value)
    identity = bovine_types.CryptographicIdentifier(
        controller="https://bovine.example/endpoints/abc", public_key=key.public_key()
    )
    assert helper.verify_with_identity(identity, parsed.signature) == identity.controller
    # And it would notice a different body's digest.
    helper.fields[3] = ("digest", "SHA-256=" + "A" * 43 + "=")
    assert helper.verify_with_identity(identity, parsed.signature) is None
