"""Origin normalisation: one server, many spellings; different servers never equal."""

from __future__ import annotations

import pytest

from federation.origin import (
    Origin,
    OriginError,
    host_matches,
    host_of,
    netloc_of,
    normalize_host,
    origin_of,
    origin_or_none,
    parent_domains,
    same_origin,
)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Example.ORG", "example.org"),
        ("example.org.", "example.org"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example.", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("[::1]", "::1"),
        ("[2001:DB8:0:0::1]", "2001:db8::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("under_score.example", "under_score.example"),
    ],
)
def test_normalize_host(host: str, expected: str) -> None:
    assert normalize_host(host) == expected


@pytest.mark.parametrize(
    "host", ["", ".", "example..org", "exa mple.org", "ex%41mple.org", "a/b", "example.org.."]
)
def test_normalize_host_refuses_junk(host: str) -> None:
    with pytest.raises(OriginError):
        normalize_host(host)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.org/users/a", Origin("https", "example.org", None)),
        ("https://example.org:443/x", Origin("https", "example.org", None)),
        ("http://example.org:80/x", Origin("http", "example.org", None)),
        ("https://example.org:80/x", Origin("https", "example.org", 80)),
        ("http://example.org:8080", Origin("http", "example.org", 8080)),
        ("HTTPS://example.org./x?y#z", Origin("https", "example.org", None)),
        ("https://user:pw@example.org/x", Origin("https", "example.org", None)),
        ("https://[::1]:8443/", Origin("https", "::1", 8443)),
    ],
)
def test_origin_of(url: str, expected: Origin) -> None:
    assert origin_of(url) == expected


def test_origin_str() -> None:
    assert str(origin_of("https://bücher.example:8443/a")) == "https://xn--bcher-kva.example:8443"
    assert str(origin_of("http://[::1]/")) == "http://[::1]"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "file:///etc/passwd",
        "data:,x",
        "https:///path",
        "https://a:99999/",
        "/x",
    ],
)
def test_origin_of_refuses(url: str) -> None:
    with pytest.raises(OriginError):
        origin_of(url)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/users/a", "https://EXAMPLE.org/notes/1"),
        ("https://example.org/a", "https://example.org.:443/b"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/b"),
        ("https://BÜCHER.example/a", "https://bücher.example/b"),
        ("http://example.org/a", "http://example.org:80/b"),
    ],
)
def test_same_origin(a: str, b: str) -> None:
    assert same_origin(a, b)
    assert same_origin(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/a", "http://example.org/a"),  # scheme
        ("https://example.org/a", "https://example.org:8443/a"),  # port
        ("https://example.org/a", "https://evil.example.org/a"),  # subdomain
        ("https://example.org/a", "https://example.org.evil/a"),
        ("https://example.org@evil.example/a", "https://example.org/a"),  # userinfo trick
        ("https://example.org/a", "https://xn--exmple-cua.org/a"),  # look-alike
        ("https://example.org/a", "not a url"),
        ("javascript:alert(1)", "javascript:alert(1)"),
    ],
)
def test_different_origin(a: str, b: str) -> None:
    assert not same_origin(a, b)
    assert not same_origin(b, a)


def test_host_of_drops_the_port() -> None:
    assert host_of("https://Example.org:8443/x") == "example.org"


def test_netloc_of_keeps_the_port_as_written() -> None:
    # Two servers on one host are two delivery hosts: the port is part of the key.
    assert netloc_of("https://Example.org:8443/x") == "example.org:8443"
    assert netloc_of("http://127.0.0.1:8001/inbox") != netloc_of("http://127.0.0.1:8002/inbox")


def test_origin_or_none() -> None:
    assert origin_or_none("HTTPS://Example.org.:443/a") == Origin("https", "example.org", None)
    assert origin_or_none("ftp://example.org/") is None
    assert origin_or_none("https://exa mple.org/") is None


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("example.org", "example.org", True),
        ("social.example.org", "example.org", True),
        ("notexample.org", "example.org", False),
        ("example.org", "social.example.org", False),
    ],
)
def test_host_matches(host: str, domain: str, expected: bool) -> None:
    assert host_matches(host, domain) is expected


def test_parent_domains() -> None:
    assert parent_domains("a.b.example") == ["a.b.example", "b.example", "example"]
    assert parent_domains("2001:db8::1") == ["2001:db8::1"]
