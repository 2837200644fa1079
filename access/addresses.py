"""IP allowlists and working out the client's address behind trusted proxies."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Final, TypeAlias

__all__ = [
    "MAX_ALLOWLIST_ENTRIES",
    "AllowlistError",
    "IPAddress",
    "IPNetwork",
    "address_allowed",
    "client_address",
    "parse_allowlist",
    "parse_networks",
]

MAX_ALLOWLIST_ENTRIES: Final = 50

IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

_MAPPED_PREFIX: Final = ipaddress.IPv6Network("::ffff:0:0/96")
_EXAMPLES: Final = "e.g. 203.0.113.7, 10.0.0.0/24 or 2001:db8::/32"


class AllowlistError(ValueError):
    """An allowlist entry (or the list as a whole) is unacceptable.

    `index` is the 0-based position in the given entries, or None when the whole list is at fault;
    `message` is meant for people and counts entries from 1.
    """

    index: int | None
    message: str

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _normalise_address(address: IPAddress) -> IPAddress:
    # Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; they must match IPv4 entries.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _normalise_network(network: IPNetwork) -> IPNetwork:
    if (
        isinstance(network, ipaddress.IPv6Network)
        and network.prefixlen >= _MAPPED_PREFIX.prefixlen
        and network.subnet_of(_MAPPED_PREFIX)
    ):
        mapped = network.network_address.ipv4_mapped
        assert mapped is not None  # inside ::ffff:0:0/96
        return ipaddress.IPv4Network((mapped, network.prefixlen - _MAPPED_PREFIX.prefixlen))
    return network


def _sort_key(network: IPNetwork) -> tuple[int, int, int]:
    return (network.version, int(network.network_address), network.prefixlen)


def _parse_entry(index: int, raw: str) -> IPNetwork:
    text = raw.strip()
    label = f"entry {index + 1}"
    if not text:
        raise AllowlistError(f"{label} is empty; enter an IP address or CIDR range", index=index)
    # Zone ids (fe80::1%eth0) name an interface on one machine and mean nothing in a shared list.
    if "%" in text:
        raise AllowlistError(f"{label}: {text!r} has an interface zone (%...); remove it", index=index)
    try:
        network: IPNetwork = ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise AllowlistError(
                f"{label}: {text!r} is not an IP address or CIDR range ({_EXAMPLES})",
                index=index,
            ) from None
        raise AllowlistError(
            f"{label}: {text!r} has host bits set; did you mean {loose}?", index=index
        ) from None
    return _normalise_network(network)


def parse_allowlist(
    entries: Sequence[str], *, max_entries: int = MAX_ALLOWLIST_ENTRIES
) -> tuple[IPNetwork, ...]:
    """Parse addresses and CIDR ranges into normalised, de-duplicated, sorted networks."""
    if isinstance(entries, str):
        # A bare string is a Sequence[str] too; iterating it would yield single characters.
        raise TypeError("entries must be a sequence of strings, not a string")
    if len(entries) > max_entries:
        raise AllowlistError(
            f"too many entries: {len(entries)} given, at most {max_entries} allowed; "
            "combine neighbouring addresses into CIDR ranges"
        )
    networks = {_parse_entry(index, entry) for index, entry in enumerate(entries)}
    return tuple(sorted(networks, key=_sort_key))


def _in_any(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    address = _normalise_address(address)
    return any(
        address.version == network.version and address in network
        for network in map(_normalise_network, networks)
    )


def address_allowed(address: IPAddress, allowlist: Sequence[IPNetwork]) -> bool:
    """True if the allowlist is empty (no restriction) or one of its networks holds the address."""
    if not allowlist:
        return True
    return _in_any(address, allowlist)


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Parse a comma-separated setting such as "127.0.0.1/32, 10.0.0.0/8"; blank gives ()."""
    if not text.strip():
        return ()
    entries = text.split(",")
    # Settings are written by operators, not portal users; the per-portal cap does not apply.
    return parse_allowlist(entries, max_entries=len(entries))


@functools.lru_cache(maxsize=4096)  # the same peers and proxies, request after request
def _parse_address(text: str) -> IPAddress | None:
    text = text.strip()
    # Some proxies append the source port: "203.0.113.7:51234" or "[2001:db8::1]:51234".
    if text.startswith("["):
        host, bracket, _port = text[1:].partition("]")
        if not bracket:
            return None
        text = host
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return _normalise_address(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(
    remote: str | None,
    forwarded_for: str | None,
    trusted_proxies: Sequence[IPNetwork],
) -> IPAddress | None:
    """The client's address: the peer, or, behind trusted proxies, the nearest untrusted hop.

    `forwarded_for` is the X-Forwarded-For value (several headers joined with ","). Only hops
    added by trusted proxies are believed; anything further left may be forged by the client.
    """
    if remote is None:
        return None
    peer = _parse_address(remote)
    if peer is None or not _in_any(peer, trusted_proxies) or not forwarded_for:
        return peer
    nearest = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _parse_address(hop)
        if address is None:
            # Past a garbled hop nothing can be attributed; the last trusted hop is all we know.
            return nearest
        nearest = address
        if not _in_any(address, trusted_proxies):
            return address
    return nearest


@functools.lru_cache(maxsize=1024)
def address_text(address: IPAddress | None) -> str | None:
    """An address as the activity log and a key's last use write it; each request needs it, and a
    client's address repeats (`str` of an address object is a few µs)."""
    return str(address) if address is not None else None
