"""Published test vectors: RFC 9421 Appendix B / section 4.3, draft-cavage-12 Appendix C.

Keys and signatures are pasted from the specifications (spec data). RSA-PSS is
randomised, so for B.2.1-B.2.3 only the published values are verified; the
Ed25519 (B.2.6) and RSASSA-PKCS1-v1_5 (section 4.3) signatures are
deterministic, so signing must reproduce them byte for byte.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.httpsig import (
    SignatureError,
    cavage,
    content_digest_header,
    digest_header,
    rfc9421,
    signature_key_id,
    verify_request,
)
from federation.httpsig.fields import normalize_headers


def _public(pem: str) -> Any:
    return serialization.load_pem_public_key(pem.encode())


def _private(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), None)


# --- RFC 9421 Appendix B.1 ---------------------------------------------------

TEST_KEY_RSA_PUBLIC = """-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----"""

TEST_KEY_RSA_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIIEqAIBAAKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsP
BRrwWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsd
JKFqMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75
jfZgkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKI
lE0PuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZ
SFlQPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQABAoIBAG/JZuSWdoVHbi56
vjgCgkjg3lkO1KrO3nrdm6nrgA9P9qaPjxuKoWaKO1cBQlE1pSWp/cKncYgD5WxE
CpAnRUXG2pG4zdkzCYzAh1i+c34L6oZoHsirK6oNcEnHveydfzJL5934egm6p8DW
+m1RQ70yUt4uRc0YSor+q1LGJvGQHReF0WmJBZHrhz5e63Pq7lE0gIwuBqL8SMaA
yRXtK+JGxZpImTq+NHvEWWCu09SCq0r838ceQI55SvzmTkwqtC+8AT2zFviMZkKR
Qo6SPsrqItxZWRty2izawTF0Bf5S2VAx7O+6t3wBsQ1sLptoSgX3QblELY5asI0J
YFz7LJECgYkAsqeUJmqXE3LP8tYoIjMIAKiTm9o6psPlc8CrLI9CH0UbuaA2JCOM
cCNq8SyYbTqgnWlB9ZfcAm/cFpA8tYci9m5vYK8HNxQr+8FS3Qo8N9RJ8d0U5Csw
DzMYfRghAfUGwmlWj5hp1pQzAuhwbOXFtxKHVsMPhz1IBtF9Y8jvgqgYHLbmyiu1
mwJ5AL0pYF0G7x81prlARURwHo0Yf52kEw1dxpx+JXER7hQRWQki5/NsUEtv+8RT
qn2m6qte5DXLyn83b1qRscSdnCCwKtKWUug5q2ZbwVOCJCtmRwmnP131lWRYfj67
B/xJ1ZA6X3GEf4sNReNAtaucPEelgR2nsN0gKQKBiGoqHWbK1qYvBxX2X3kbPDkv
9C+celgZd2PW7aGYLCHq7nPbmfDV0yHcWjOhXZ8jRMjmANVR/eLQ2EfsRLdW69bn
f3ZD7JS1fwGnO3exGmHO3HZG+6AvberKYVYNHahNFEw5TsAcQWDLRpkGybBcxqZo
81YCqlqidwfeO5YtlO7etx1xLyqa2NsCeG9A86UjG+aeNnXEIDk1PDK+EuiThIUa
/2IxKzJKWl1BKr2d4xAfR0ZnEYuRrbeDQYgTImOlfW6/GuYIxKYgEKCFHFqJATAG
IxHrq1PDOiSwXd2GmVVYyEmhZnbcp8CxaEMQoevxAta0ssMK3w6UsDtvUvYvF22m
qQKBiD5GwESzsFPy3Ga0MvZpn3D6EJQLgsnrtUPZx+z2Ep2x0xc5orneB5fGyF1P
WtP+fG5Q6Dpdz3LRfm+KwBCWFKQjg7uTxcjerhBWEYPmEMKYwTJF5PBG9/ddvHLQ
EQeNC8fHGg4UXU8mhHnSBt3EA10qQJfRDs15M38eG2cYwB1PZpDHScDnDA0=
-----END RSA PRIVATE KEY-----"""

TEST_KEY_RSA_PSS_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----"""

TEST_KEY_ED25519_PUBLIC = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----"""

TEST_KEY_ED25519_PRIVATE = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----"""

# --- RFC 9421 section 2.4 test request -----------------------------------------

BODY = b'{"hello": "world"}'
SHA512_DIGEST = (
    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+"
    "TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
)
REQUEST_URL = "https://example.com/foo?param=Value&Pet=dog"
REQUEST_HEADERS = {
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest": SHA512_DIGEST,
    "Content-Length": "18",
}

B21_INPUT = 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"'
B21_SIGNATURE = (
    "sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbt"
    "Rxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJ"
    "zsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v"
    "6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:"
)
B22_INPUT = (
    'sig-b22=("@authority" "content-digest" "@query-param";name="Pet")'
    ';created=1618884473;keyid="test-key-rsa-pss";tag="header-example"'
)
B22_SIGNATURE = (
    "sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE"
    "5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTla"
    "qwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsU"
    "RIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:"
)
B23_INPUT = (
    'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest"'
    ' "content-length");created=1618884473;keyid="test-key-rsa-pss"'
)
B23_SIGNATURE = (
    "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRp"
    "RRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aY"
    "A2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61"
    "ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:"
)
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u"
    "02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
)
B26_BASE = """\
"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")\
;created=1618884473;keyid="test-key-ed25519\""""


def _verify_9421(
    sig_input: str,
    signature: str,
    public_pem: str,
    *,
    algorithm: str | None = None,
    url: str = REQUEST_URL,
    headers: dict[str, str] = REQUEST_HEADERS,
    method: str = "POST",
) -> None:
    sig = rfc9421.parse_signatures(sig_input, signature)[0]
    fields = normalize_headers(headers)
    rfc9421.verify_signature(sig, method, url, fields, _public(public_pem), algorithm=algorithm)


def test_content_digest_matches_rfc_9421_and_9530_examples() -> None:
    assert content_digest_header(BODY, "sha-512") == SHA512_DIGEST
    assert content_digest_header(BODY) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    assert digest_header(BODY) == "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="


@pytest.mark.parametrize(
    ("sig_input", "signature"),
    [(B21_INPUT, B21_SIGNATURE), (B22_INPUT, B22_SIGNATURE), (B23_INPUT, B23_SIGNATURE)],
    ids=["B.2.1-minimal", "B.2.2-selective", "B.2.3-full"],
)
def test_rfc9421_rsa_pss_vectors_verify(sig_input: str, signature: str) -> None:
    # No alg parameter: the verifier knows test-key-rsa-pss is an RSA-PSS key.
    _verify_9421(sig_input, signature, TEST_KEY_RSA_PSS_PUBLIC, algorithm="rsa-pss-sha512")


def test_rfc9421_rsa_pss_vector_fails_on_changed_query_param() -> None:
    # B.2.2 covers only the "Pet" query parameter, so changing it must break it.
    url = "https://example.com/foo?param=Value&Pet=cat"
    with pytest.raises(SignatureError):
        _verify_9421(
            B22_INPUT, B22_SIGNATURE, TEST_KEY_RSA_PSS_PUBLIC, algorithm="rsa-pss-sha512", url=url
        )


def test_rfc9421_b26_ed25519_base_verify_and_deterministic_sign() -> None:
    sig = rfc9421.parse_signatures(B26_INPUT, B26_SIGNATURE)[0]
    fields = normalize_headers(REQUEST_HEADERS)
    assert rfc9421.signature_base(sig.covered, "POST", REQUEST_URL, fields).decode() == B26_BASE
    _verify_9421(B26_INPUT, B26_SIGNATURE, TEST_KEY_ED25519_PUBLIC)

    private = _private(TEST_KEY_ED25519_PRIVATE)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    covered = ["date", "@method", "@path", "@authority", "content-type", "content-length"]
    sig_input, signature = rfc9421.sign(
        covered,
        "POST",
        REQUEST_URL,
        fields,
        key_id="test-key-ed25519",
        private_key=private,
        created=1618884473,
        label="sig-b26",
        include_alg=False,
    )
    assert (sig_input, signature) == (B26_INPUT, B26_SIGNATURE)


def test_rfc9421_b26_fails_when_a_covered_header_changes() -> None:
    headers = {**REQUEST_HEADERS, "Content-Type": "text/plain"}
    with pytest.raises(SignatureError, match="does not verify"):
        _verify_9421(B26_INPUT, B26_SIGNATURE, TEST_KEY_ED25519_PUBLIC, headers=headers)


# RFC 9421 section 4.3: a reverse proxy's rsa-v1_5-sha256 signature next to the client's.
PROXY_URL = "https://origin.host.internal.example/foo?param=Value&Pet=dog"
PROXY_HEADERS = {
    "Host": "origin.host.internal.example",
    "Date": "Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type": "application/json",
    "Content-Length": "18",
    "Forwarded": "for=192.0.2.123;host=example.com;proto=https",
    "Content-Digest": SHA512_DIGEST,
}
PROXY_INPUT = (
    'sig1=("@method" "@authority" "@path" "content-digest" "content-type" "content-length")'
    ';created=1618884475;keyid="test-key-ecc-p256", '
    'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length"'
    ' "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540'
)
PROXY_SIG_VALUE = (
    "proxy_sig=:S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+Mj"
    "niOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7L"
    "B5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93w"
    "Us/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==:"
)
PROXY_SIGNATURE = (
    "sig1=:X5spyd6CFnAG5QnDyHfqoSNICd+BUP4LYMz2Q0JXlb//4Ijpzp+"
    "kve2w4NIyqeAuM7jTDX+sNalzA8ESSaHD3A==:, " + PROXY_SIG_VALUE
)


def test_rfc9421_section_4_3_rsa_v1_5_verifies_and_signing_reproduces_it() -> None:
    sigs = rfc9421.parse_signatures(PROXY_INPUT, PROXY_SIGNATURE)
    assert [s.label for s in sigs] == ["sig1", "proxy_sig"]
    proxy = sigs[1]
    assert (proxy.key_id, proxy.alg, proxy.created, proxy.expires) == (
        "test-key-rsa",
        "rsa-v1_5-sha256",
        1618884480,
        1618884540,
    )
    fields = normalize_headers(PROXY_HEADERS)
    rfc9421.verify_signature(proxy, "POST", PROXY_URL, fields, _public(TEST_KEY_RSA_PUBLIC))

    private = _private(TEST_KEY_RSA_PRIVATE)
    assert isinstance(private, rsa.RSAPrivateKey)
    sig_input, signature = rfc9421.sign(
        [str(item.value) for item in proxy.covered],
        "POST",
        PROXY_URL,
        fields,
        key_id="test-key-rsa",
        private_key=private,
        created=1618884480,
        expires=1618884540,
        label="proxy_sig",
    )
    assert sig_input == PROXY_INPUT.split(", ", 1)[1]
    assert signature == PROXY_SIG_VALUE


def test_rfc9421_front_door_uses_first_label_and_applies_policy() -> None:
    headers = {**PROXY_HEADERS, "Signature-Input": PROXY_INPUT, "Signature": PROXY_SIGNATURE}
    # The first label's key id is the one to look up.
    assert signature_key_id("POST", headers) == "test-key-ecc-p256"
    headers = {**REQUEST_HEADERS, "Signature-Input": B26_INPUT, "Signature": B26_SIGNATURE}
    now = datetime.fromtimestamp(1618884473, UTC)
    # B.2.6 verifies cryptographically, but covers neither @target-uri/@query nor content-digest.
    with pytest.raises(SignatureError, match="must cover"):
        verify_request(
            "POST", REQUEST_URL, headers, BODY, _public(TEST_KEY_ED25519_PUBLIC), now=now
        )


# --- draft-cavage-http-signatures-12 Appendix C --------------------------------

CAVAGE_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----"""

CAVAGE_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""

CAVAGE_URL = "http://example.com/foo?param=value&pet=dog"
CAVAGE_TARGET = "/foo?param=value&pet=dog"
CAVAGE_HEADERS = {
    "Host": "example.com",
    "Date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
CAVAGE_NOW = datetime(2014, 1, 5, 21, 32, tzinfo=UTC)

C1_DEFAULT = (
    'keyId="Test",algorithm="rsa-sha256",'
    'signature="SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaD'
    'V5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM="'
)
C2_BASIC = (
    'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
    'signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iic'
    'w3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="'
)
# As printed in the draft, folded over several lines.
C3_ALL_HEADERS = """keyId="Test",algorithm="rsa-sha256",
  created=1402170695, expires=1402170699,
  headers="(request-target) (created) (expires)
    host date content-type digest content-length",
  signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs
    8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZF
    ukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=\""""


def _cavage_check(header: str) -> None:
    sig = cavage.parse_signature_header(header)
    fields = normalize_headers(CAVAGE_HEADERS)
    cavage.verify_signature(sig, "POST", CAVAGE_TARGET, fields, _public(CAVAGE_PUBLIC))


def test_cavage_test_key_pair_matches() -> None:
    derived = _private(CAVAGE_PRIVATE).public_key()
    pem = derived.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pem.decode() == CAVAGE_PUBLIC


def test_cavage_c1_default_test_verifies_over_date_only() -> None:
    assert cavage.parse_signature_header(C1_DEFAULT).headers == ("date",)
    _cavage_check(C1_DEFAULT)


def test_cavage_c2_basic_test_verifies() -> None:
    _cavage_check(C2_BASIC)
    # The Authorization form of the draft's examples is understood too.
    headers = {**CAVAGE_HEADERS, "Authorization": f"Signature {C2_BASIC}"}
    assert signature_key_id("POST", headers) == "Test"


def test_cavage_c2_signed_by_us_reproduces_published_signature() -> None:
    fields = normalize_headers(CAVAGE_HEADERS)
    header = cavage.sign(
        ["(request-target)", "host", "date"],
        "POST",
        CAVAGE_TARGET,
        fields,
        key_id="Test",
        private_key=_private(CAVAGE_PRIVATE),
    )
    assert header == C2_BASIC


def test_cavage_c1_and_c2_are_refused_by_our_policy() -> None:
    # They verify cryptographically, but a POST must cover (request-target),
    # host and digest: C.1 covers only date, C.2 no digest.
    for header, missing in ((C1_DEFAULT, r"\(request-target\)"), (C2_BASIC, "digest")):
        headers = {**CAVAGE_HEADERS, "Signature": header}
        with pytest.raises(SignatureError, match=f"must cover {missing}"):
            verify_request(
                "POST", CAVAGE_URL, headers, BODY, _public(CAVAGE_PUBLIC), now=CAVAGE_NOW
            )


def test_cavage_c3_all_headers_test_is_broken_as_published() -> None:
    # The C.3 example is known to be wrong in draft 12, twice over:
    # 1. it signs (created)/(expires) with algorithm="rsa-sha256", which the
    #    same draft (section 2.3) forbids for rsa-* algorithms;
    # 2. its signature value is the one from draft 10, computed over the
    #    header list *without* (created) and (expires).
    sig = cavage.parse_signature_header(C3_ALL_HEADERS)
    assert sig.headers[:3] == ("(request-target)", "(created)", "(expires)")
    assert (sig.created, sig.expires) == (1402170695, 1402170699)
    with pytest.raises(SignatureError, match="may not be signed with algorithm rsa-sha256"):
        _cavage_check(C3_ALL_HEADERS)
    # Even read as hs2019 (where (created) is allowed) the value does not verify ...
    with pytest.raises(SignatureError, match="does not verify"):
        _cavage_check(C3_ALL_HEADERS.replace("rsa-sha256", "hs2019"))
    # ... but over the draft-10 header list it does, which shows where it came from.
    draft10 = C3_ALL_HEADERS.replace("(request-target) (created) (expires)", "(request-target)")
    _cavage_check(draft10)
