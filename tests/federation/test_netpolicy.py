"""The SSRF address table: what may and may not be connected to."""

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from federation.netpolicy import forbidden_reason, is_forbidden_address, parse_ip

REFUSED = [
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "192.0.0.8",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "198.19.255.255",
    "192.88.99.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::7f00:1",  # IPv4-compatible
    "::ffff:127.0.0.1",
    "::ffff:10.1.2.3",
    "::ffff:169.254.169.254",
    "64:ff9b::1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::1",
    "100::1",
    "2001::1",  # Teredo
    "2001:2::1",  # benchmarking
    "2001:db8::1",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:5db8:d822::1",  # 6to4 of a public address: still refused
    "3fff::1",
    "5f00::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "4000::1",  # unassigned, outside 2000::/3
]

ALLOWED = [
    "93.184.216.34",
    "1.1.1.1",
    "8.8.8.8",
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above CGNAT
    "172.15.255.255",
    "172.32.0.0",
    "198.17.255.255",
    "223.255.255.255",
    "2606:2800:220:1:248:1893:25c8:1946",
    "2a01:4f8::1",
    "::ffff:93.184.216.34",  # mapped public IPv4
    "64:ff9b::5db8:d822",  # DNS64 answer for 93.184.216.34
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    ip = ip_address(text)
    assert is_forbidden_address(ip)
    assert forbidden_reason(ip)


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    ip = ip_address(text)
    assert not is_forbidden_address(ip)
    assert forbidden_reason(ip) is None


def test_embedded_reason_names_the_ipv4_address() -> None:
    reason = forbidden_reason(IPv6Address("::ffff:127.0.0.1"))
    assert reason is not None and "127.0.0.1" in reason and "loopback" in reason


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", IPv4Address("127.0.0.1")),
        ("[::1]", IPv6Address("::1")),
        ("::1", IPv6Address("::1")),
        ("example.com", None),
        ("2130706433", None),  # left to the resolver, whose answer is checked
    ],
)
def test_parse_ip(host: str, expected: object) -> None:
    assert parse_ip(host) == expected
