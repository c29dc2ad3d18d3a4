"""Which IP addresses outgoing requests may connect to: the SSRF address table.

One table, IPv4 blocks then IPv6 ones (an address is only ever in a network of its own
version), drawn from the IANA special-purpose address registries (RFC 6890 and
successors) plus multicast and reserved space: every block that is not globally
reachable is refused. For IPv6 anything outside global unicast ``2000::/3``
is refused as well, so unassigned space never slips through.

Two IPv6 blocks embed an IPv4 address and are judged by it instead of refused
outright: IPv4-mapped ``::ffff:0:0/96`` (a dual-stack socket really connects to the
embedded IPv4 address) and the NAT64 well-known prefix ``64:ff9b::/96`` (on an
IPv6-only host behind DNS64 every IPv4-only peer resolves there, and the translator
connects to the embedded address).
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_FORBIDDEN: tuple[tuple[IPv4Network | IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why)
    for net, why in (
        ("0.0.0.0/8", "'this network' (includes the unspecified address)"),
        ("10.0.0.0/8", "private network"),
        ("100.64.0.0/10", "carrier-grade NAT shared space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local (cloud metadata lives here)"),
        ("172.16.0.0/12", "private network"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
        ("192.168.0.0/16", "private network"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved (includes broadcast)"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
        ("2001:db8::/32", "documentation"),
        ("2002::/16", "6to4"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing SIDs"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)

_V6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_V6_MAPPED = IPv6Network("::ffff:0:0/96")
_V6_NAT64 = IPv6Network("64:ff9b::/96")


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be connected to, or ``None`` when it is globally reachable."""
    if isinstance(ip, IPv4Address):
        return _lookup(ip)
    if ip in _V6_MAPPED or ip in _V6_NAT64:
        embedded = IPv4Address(int(ip) & 0xFFFF_FFFF)
        why = forbidden_reason(embedded)
        return None if why is None else f"embeds {embedded}: {why}"
    why = _lookup(ip)
    if why is None and ip not in _V6_GLOBAL_UNICAST:
        why = "outside IPv6 global unicast space"
    return why


def is_forbidden_address(ip: IPAddress) -> bool:
    """True when ``ip`` is loopback, private, link-local or otherwise not public."""
    return forbidden_reason(ip) is not None


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is a literal (brackets allowed), else ``None``."""
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _lookup(ip: IPAddress) -> str | None:
    for network, why in _FORBIDDEN:
        if ip in network:
            return why
    return None
