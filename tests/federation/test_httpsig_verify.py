"""Round trips through sign_request / verify_request, and every tampering refused."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.httpsig import (
    Scheme,
    SignatureError,
    cavage,
    content_digest_header,
    digest_header,
    rfc9421,
    sign_request,
    signature_key_id,
    verify_request,
)
from federation.httpsig.fields import normalize_headers

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KEY_ID = "https://groups.example/groups/garden#main-key"
INBOX = "https://remote.example/users/alice/inbox"
ACTOR = "https://remote.example/users/alice?format=json"
BODY = b'{"type": "Follow", "actor": "https://groups.example/groups/garden"}'
SCHEMES: list[Scheme] = ["cavage", "rfc9421"]


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _post(key: Any, scheme: Scheme, *, body: bytes = BODY, url: str = INBOX) -> dict[str, str]:
    headers = {"Content-Type": "application/activity+json"}
    headers |= sign_request(
        "POST", url, headers, body, key_id=KEY_ID, private_key=key, scheme=scheme, now=NOW
    )
    return headers


def _get(key: Any, scheme: Scheme, *, url: str = ACTOR) -> dict[str, str]:
    headers = {"Accept": "application/activity+json"}
    headers |= sign_request(
        "GET", url, headers, None, key_id=KEY_ID, private_key=key, scheme=scheme, now=NOW
    )
    return headers


@pytest.mark.parametrize("scheme", SCHEMES)
def test_post_round_trip(key: rsa.RSAPrivateKey, scheme: Scheme) -> None:
    headers = _post(key, scheme)
    assert signature_key_id("POST", headers) == KEY_ID
    result = verify_request("POST", INBOX, headers, BODY, key.public_key(), now=NOW)
    assert (result.key_id, result.scheme) == (KEY_ID, scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_get_round_trip_with_query(key: rsa.RSAPrivateKey, scheme: Scheme) -> None:
    headers = _get(key, scheme)
    result = verify_request("GET", ACTOR, headers, None, key.public_key(), now=NOW)
    assert result.scheme == scheme


def test_sign_request_emits_what_mastodon_expects(key: rsa.RSAPrivateKey) -> None:
    post = normalize_headers(_post(key, "cavage"))
    assert post["date"] == "Sat, 01 Mar 2025 12:00:00 GMT"
    assert post["host"] == "remote.example"
    assert post["digest"] == digest_header(BODY)
    sig = cavage.parse_signature_header(post["signature"])
    assert sig.algorithm == "rsa-sha256"
    assert sig.headers == ("(request-target)", "host", "date", "digest", "content-type")
    get = cavage.parse_signature_header(normalize_headers(_get(key, "cavage"))["signature"])
    assert get.headers == ("(request-target)", "host", "date", "accept")

    new = normalize_headers(_post(key, "rfc9421"))
    parsed = rfc9421.parse_signatures(new["signature-input"], new["signature"])
    assert [s.label for s in parsed] == ["sig1"]
    assert parsed[0].components == ("@method", "@target-uri", "content-digest", "date")
    assert (parsed[0].created, parsed[0].key_id, parsed[0].alg) == (
        int(NOW.timestamp()),
        KEY_ID,
        "rsa-v1_5-sha256",
    )
    assert "content-digest" in new and "digest" not in new


def test_ed25519_round_trip_both_schemes() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    for scheme in SCHEMES:
        headers = _post(key, scheme)
        assert verify_request("POST", INBOX, headers, BODY, key.public_key(), now=NOW)


def test_headers_are_case_insensitive_and_multi_valued(key: rsa.RSAPrivateKey) -> None:
    assert normalize_headers({"X-A": " 1 ", "x-a": "2"}) == {"x-a": "1, 2"}
    signed = _post(key, "cavage")
    shouting = httpx.Headers({name.upper(): value for name, value in signed.items()})
    verify_request("POST", INBOX, shouting, BODY, key.public_key(), now=NOW)


# --- tampering ----------------------------------------------------------------

Tamper = Callable[[dict[str, str]], tuple[str, str, dict[str, str], bytes | None]]


def _replace(headers: dict[str, str], name: str, value: str) -> dict[str, str]:
    out = {k: v for k, v in headers.items() if k.lower() != name}
    out[name] = value
    return out


TAMPERINGS: dict[str, Tamper] = {
    "body": lambda h: ("POST", INBOX, h, BODY + b" "),
    "path": lambda h: ("POST", "https://remote.example/users/bob/inbox", h, BODY),
    "query": lambda h: ("POST", INBOX + "?x=1", h, BODY),
    "method": lambda h: ("PUT", INBOX, h, BODY),
    "url-host": lambda h: ("POST", "https://evil.example/users/alice/inbox", h, BODY),
    "host-header": lambda h: ("POST", INBOX, _replace(h, "host", "evil.example"), BODY),
    "date-header": lambda h: (
        "POST",
        INBOX,
        _replace(h, "date", "Sat, 01 Mar 2025 12:00:01 GMT"),
        BODY,
    ),
    "digest-and-body": lambda h: (
        "POST",
        INBOX,
        _replace(
            _replace(h, "digest", digest_header(b"{}")),
            "content-digest",
            "sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:",
        ),
        b"{}",
    ),
}


# RFC 9421 signs the URL (@target-uri), not the Host header. Cavage signs the Host
# header, which must also name the URL the server sees, so both tamperings fail there.
NOT_SIGNED = {("rfc9421", "host-header")}


@pytest.mark.parametrize(
    ("scheme", "what"),
    [(s, w) for s in SCHEMES for w in sorted(TAMPERINGS) if (s, w) not in NOT_SIGNED],
)
def test_tampering_is_refused(key: rsa.RSAPrivateKey, scheme: Scheme, what: str) -> None:
    method, url, headers, body = TAMPERINGS[what](_post(key, scheme))
    with pytest.raises(SignatureError):
        verify_request(method, url, headers, body, key.public_key(), now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_get_query_tampering_is_refused(key: rsa.RSAPrivateKey, scheme: Scheme) -> None:
    headers = _get(key, scheme)
    tampered = ACTOR.replace("format=json", "format=html")
    with pytest.raises(SignatureError):
        verify_request("GET", tampered, headers, None, key.public_key(), now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_body_mismatch_is_reported_as_digest_mismatch(
    key: rsa.RSAPrivateKey, scheme: Scheme
) -> None:
    headers = _post(key, scheme)
    with pytest.raises(SignatureError, match="does not match the body"):
        verify_request("POST", INBOX, headers, b"{}", key.public_key(), now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_wrong_key_is_refused(
    key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey, scheme: Scheme
) -> None:
    headers = _post(key, scheme)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_request("POST", INBOX, headers, BODY, other_key.public_key(), now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (timedelta(hours=11, minutes=59), None),
        (timedelta(hours=12, minutes=1), "too old"),
        (-timedelta(minutes=59), None),
        (-timedelta(hours=1, minutes=1), "too far in the future"),
    ],
)
def test_time_window(
    key: rsa.RSAPrivateKey, scheme: Scheme, offset: timedelta, error: str | None
) -> None:
    # "now" moves instead of the signature: a verifier 12h01 later sees it as too old.
    headers = _post(key, scheme)
    now = NOW + offset
    if error is None:
        verify_request("POST", INBOX, headers, BODY, key.public_key(), now=now)
    else:
        with pytest.raises(SignatureError, match=error):
            verify_request("POST", INBOX, headers, BODY, key.public_key(), now=now)


# --- what must be covered -------------------------------------------------------


def _cavage_headers(
    key: Any, method: str, covered: list[str], body: bytes | None
) -> dict[str, str]:
    url = INBOX if body is not None else ACTOR
    headers = {
        "Host": "remote.example",
        "Date": "Sat, 01 Mar 2025 12:00:00 GMT",
        "Content-Type": "application/activity+json",
    }
    if body is not None:
        headers["Digest"] = digest_header(body)
    target = url.removeprefix("https://remote.example")
    headers["Signature"] = cavage.sign(
        covered, method, target, normalize_headers(headers), key_id=KEY_ID, private_key=key
    )
    return headers


@pytest.mark.parametrize(
    ("method", "covered", "message"),
    [
        ("POST", ["(request-target)", "host", "date", "content-type"], "must cover digest"),
        ("GET", ["(request-target)", "date"], "must cover host"),
        ("GET", ["host", "date"], r"must cover \(request-target\)"),
        ("GET", ["(request-target)", "host"], r"must cover date or \(created\)"),
    ],
)
def test_cavage_required_headers(
    key: rsa.RSAPrivateKey, method: str, covered: list[str], message: str
) -> None:
    body = BODY if method == "POST" else None
    headers = _cavage_headers(key, method, covered, body)
    url = INBOX if body else ACTOR
    with pytest.raises(SignatureError, match=message):
        verify_request(method, url, headers, body, key.public_key(), now=NOW)


def test_cavage_missing_headers_param_is_refused(key: rsa.RSAPrivateKey) -> None:
    headers = _cavage_headers(key, "GET", ["date"], None)
    # Drop the headers="date" parameter: the default list is just date.
    headers["Signature"] = headers["Signature"].replace('headers="date",', "")
    sig = cavage.parse_signature_header(headers["Signature"])
    assert sig.headers == ("date",)
    with pytest.raises(SignatureError, match="must cover"):
        verify_request("GET", ACTOR, headers, None, key.public_key(), now=NOW)


def _rfc9421_headers(
    key: Any, method: str, url: str, components: list[str], body: bytes | None, **kw: Any
) -> dict[str, str]:
    headers = {"Host": "remote.example", "Date": "Sat, 01 Mar 2025 12:00:00 GMT"}
    if body is not None:
        headers["Content-Digest"] = content_digest_header(body)
    kw.setdefault("created", int(NOW.timestamp()))
    sig_input, signature = rfc9421.sign(
        components, method, url, normalize_headers(headers), key_id=KEY_ID, private_key=key, **kw
    )
    return headers | {"Signature-Input": sig_input, "Signature": signature}


@pytest.mark.parametrize(
    ("method", "url", "components", "message"),
    [
        ("POST", INBOX, ["@method", "@target-uri"], "must cover content-digest"),
        ("POST", INBOX, ["@target-uri", "content-digest"], "must cover @method"),
        ("POST", INBOX, ["@method", "content-digest"], "must cover @target-uri"),
        ("GET", ACTOR, ["@method", "@authority", "@path"], "must cover @target-uri"),
    ],
)
def test_rfc9421_required_components(
    key: rsa.RSAPrivateKey, method: str, url: str, components: list[str], message: str
) -> None:
    body = BODY if method == "POST" else None
    headers = _rfc9421_headers(key, method, url, components, body)
    with pytest.raises(SignatureError, match=message):
        verify_request(method, url, headers, body, key.public_key(), now=NOW)


def test_rfc9421_authority_path_query_is_enough(key: rsa.RSAPrivateKey) -> None:
    components = ["@method", "@authority", "@path", "@query"]
    headers = _rfc9421_headers(key, "GET", ACTOR, components, None)
    assert verify_request("GET", ACTOR, headers, None, key.public_key(), now=NOW).key_id == KEY_ID


def test_rfc9421_expires_is_honoured(key: rsa.RSAPrivateKey) -> None:
    expires = int(NOW.timestamp()) + 60
    headers = _rfc9421_headers(key, "GET", ACTOR, ["@method", "@target-uri"], None, expires=expires)
    verify_request("GET", ACTOR, headers, None, key.public_key(), now=NOW)
    later = NOW + timedelta(minutes=5)
    with pytest.raises(SignatureError, match="expired"):
        verify_request("GET", ACTOR, headers, None, key.public_key(), now=later)


def test_rfc9421_created_is_required(key: rsa.RSAPrivateKey) -> None:
    headers = _rfc9421_headers(key, "GET", ACTOR, ["@method", "@target-uri"], None)
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        f"created={int(NOW.timestamp())};", ""
    )
    with pytest.raises(SignatureError, match="created"):
        verify_request("GET", ACTOR, headers, None, key.public_key(), now=NOW)


def test_rfc9421_preferred_when_both_present(key: rsa.RSAPrivateKey) -> None:
    # Both schemes name their header "Signature", so a request carrying both
    # has the cavage one in Authorization (the draft's other form).
    cav = _get(key, "cavage")
    new = _rfc9421_headers(key, "GET", ACTOR, ["@method", "@target-uri"], None)
    both = new | {"Authorization": "Signature " + cav["Signature"]}
    assert signature_key_id("GET", both) == KEY_ID
    assert verify_request("GET", ACTOR, both, None, key.public_key(), now=NOW).scheme == "rfc9421"
    assert verify_request("GET", ACTOR, cav, None, key.public_key(), now=NOW).scheme == "cavage"


# --- malformed input ------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_bad_base64_is_refused(key: rsa.RSAPrivateKey, scheme: Scheme) -> None:
    headers = _post(key, scheme)
    if scheme == "cavage":
        headers["Signature"] = headers["Signature"].replace('signature="', 'signature="%%')
    else:
        headers["Signature"] = "sig1=:%%not-base64:"
    with pytest.raises(SignatureError, match="malformed"):
        verify_request("POST", INBOX, headers, BODY, key.public_key(), now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        'keyId="a",signature="AAAA",keyId="b"',
        'signature="AAAA"',
        'keyId="a"',
        'keyId="a",created="soon",signature="AAAA"',
    ],
)
def test_malformed_cavage_header(header: str) -> None:
    with pytest.raises(SignatureError, match="malformed Signature header"):
        signature_key_id("GET", {"Signature": header})


@pytest.mark.parametrize(
    ("sig_input", "signature"),
    [
        ("sig1=(", "sig1=:AAAA:"),
        ('sig1=("@method");keyid="k"', "sig1=AAAA"),
        ('sig1=("@method")', "other=:AAAA:"),
    ],
)
def test_malformed_rfc9421_headers(sig_input: str, signature: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        signature_key_id("GET", {"Signature-Input": sig_input, "Signature": signature})


def test_no_signature() -> None:
    with pytest.raises(SignatureError, match="no signature"):
        signature_key_id("GET", {"Host": "remote.example"})
    with pytest.raises(SignatureError, match="no signature"):
        verify_request("GET", ACTOR, {}, None, ed25519.Ed25519PrivateKey.generate().public_key())
