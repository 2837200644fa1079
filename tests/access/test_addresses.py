"""IP allowlists and the client address behind trusted proxies."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import pytest

from access.addresses import (
    MAX_ALLOWLIST_ENTRIES,
    AllowlistError,
    IPAddress,
    IPNetwork,
    address_allowed,
    client_address,
    parse_allowlist,
    parse_networks,
)


def _allowed(address: str, *entries: str) -> bool:
    return address_allowed(ip_address(address), parse_allowlist(entries))


# --- allowlist boundaries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("10.0.0.0", True),
        ("10.0.0.1", True),
        ("10.0.0.255", True),
        ("10.0.1.0", False),
        ("9.255.255.255", False),
        ("11.0.0.0", False),
    ],
)
def test_ipv4_range_boundaries(address: str, expected: bool) -> None:
    assert _allowed(address, "10.0.0.0/24") is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("2001:db8::", True),
        ("2001:db8::1", True),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", True),
        ("2001:db9::", False),
        ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", False),
    ],
)
def test_ipv6_range_boundaries(address: str, expected: bool) -> None:
    assert _allowed(address, "2001:db8::/32") is expected


def test_single_ipv4_address_is_a_slash_32() -> None:
    assert parse_allowlist(["10.1.2.3"]) == (IPv4Network("10.1.2.3/32"),)
    assert _allowed("10.1.2.3", "10.1.2.3")
    assert not _allowed("10.1.2.4", "10.1.2.3")
    assert not _allowed("10.1.2.2", "10.1.2.3")


def test_single_ipv6_address_is_a_slash_128() -> None:
    assert parse_allowlist(["2001:db8::1"]) == (IPv6Network("2001:db8::1/128"),)
    assert _allowed("2001:db8::1", "2001:db8::1")
    assert not _allowed("2001:db8::2", "2001:db8::1")


def test_any_entry_may_match() -> None:
    entries = ("192.0.2.0/28", "2001:db8::/64", "198.51.100.7")

    assert _allowed("192.0.2.15", *entries)
    assert _allowed("198.51.100.7", *entries)
    assert _allowed("2001:db8::abcd", *entries)
    assert not _allowed("192.0.2.16", *entries)
    assert not _allowed("2001:db8:0:1::", *entries)


def test_ipv4_mapped_client_matches_ipv4_entries() -> None:
    assert _allowed("::ffff:10.0.0.7", "10.0.0.0/24")
    assert not _allowed("::ffff:10.0.1.7", "10.0.0.0/24")


def test_ipv4_entries_do_not_match_unrelated_ipv6_clients() -> None:
    # 10.0.0.0/24 and ::a00:0/120 share integer values; versions must never be mixed up.
    assert not _allowed("::a00:7", "10.0.0.0/24")
    assert not _allowed("10.0.0.7", "::a00:0/120")


def test_unnormalised_mapped_networks_still_match() -> None:
    allowlist = [IPv6Network("::ffff:10.0.0.0/120")]

    assert address_allowed(IPv4Address("10.0.0.9"), allowlist)
    assert address_allowed(IPv6Address("::ffff:10.0.0.9"), allowlist)
    assert not address_allowed(IPv4Address("10.0.1.9"), allowlist)


@pytest.mark.parametrize("address", ["10.0.0.1", "203.0.113.9", "2001:db8::1", "::1"])
def test_empty_allowlist_allows_any_address(address: str) -> None:
    assert address_allowed(ip_address(address), ())
    assert address_allowed(ip_address(address), parse_allowlist([]))


def test_everything_range_allows_everything_of_its_version() -> None:
    assert _allowed("203.0.113.9", "0.0.0.0/0")
    assert not _allowed("2001:db8::1", "0.0.0.0/0")
    assert _allowed("2001:db8::1", "::/0")


# --- normalisation -----------------------------------------------------------------------------


def test_whitespace_is_stripped() -> None:
    assert parse_allowlist(["  10.0.0.0/8\t", "\n2001:db8::1 "]) == (
        IPv4Network("10.0.0.0/8"),
        IPv6Network("2001:db8::1/128"),
    )


def test_ipv4_mapped_entries_become_ipv4() -> None:
    assert parse_allowlist(["::ffff:10.0.0.1", "::ffff:10.0.0.0/120"]) == (
        IPv4Network("10.0.0.0/24"),
        IPv4Network("10.0.0.1/32"),
    )


def test_duplicates_are_removed_after_normalisation() -> None:
    entries = [
        "10.0.0.1",
        "10.0.0.1/32",
        " 10.0.0.1 ",
        "::ffff:10.0.0.1",
        "2001:DB8::1",
        "2001:db8::1",
    ]

    assert parse_allowlist(entries) == (
        IPv4Network("10.0.0.1/32"),
        IPv6Network("2001:db8::1/128"),
    )


def test_entries_are_sorted_ipv4_first_then_address_then_prefix() -> None:
    entries = [
        "2001:db8::/32",
        "192.168.0.0/16",
        "::1",
        "10.0.0.0/24",
        "10.0.0.0/8",
        "9.9.9.9",
        "2001:db8::/48",
    ]

    assert [str(network) for network in parse_allowlist(entries)] == [
        "9.9.9.9/32",
        "10.0.0.0/8",
        "10.0.0.0/24",
        "192.168.0.0/16",
        "::1/128",
        "2001:db8::/32",
        "2001:db8::/48",
    ]


def test_netmask_notation_is_accepted() -> None:
    assert parse_allowlist(["10.0.0.0/255.255.255.0"]) == (IPv4Network("10.0.0.0/24"),)


def test_exactly_the_maximum_number_of_entries_is_accepted() -> None:
    entries = [f"10.0.{index}.0/24" for index in range(MAX_ALLOWLIST_ENTRIES)]

    assert len(parse_allowlist(entries)) == MAX_ALLOWLIST_ENTRIES


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("", "entry 2 is empty"),
        ("   ", "entry 2 is empty"),
        ("not-an-ip", "entry 2: 'not-an-ip' is not an IP address or CIDR range"),
        ("10.0.0", "entry 2: '10.0.0' is not an IP address or CIDR range"),
        ("10.0.0.256", "entry 2: '10.0.0.256' is not an IP address or CIDR range"),
        ("10.0.0.0/33", "entry 2: '10.0.0.0/33' is not an IP address or CIDR range"),
        ("10.0.0.0/", "entry 2: '10.0.0.0/' is not an IP address or CIDR range"),
        ("2001:db8::/129", "entry 2: '2001:db8::/129' is not an IP address or CIDR range"),
        ("2001:db8:::1", "entry 2: '2001:db8:::1' is not an IP address or CIDR range"),
        ("10.0.0.1-10.0.0.9", "is not an IP address or CIDR range"),
        ("010.0.0.1", "is not an IP address or CIDR range"),
        ("example.org", "is not an IP address or CIDR range"),
        ("fe80::1%eth0", "entry 2: 'fe80::1%eth0' has an interface zone"),
        ("10.0.0.5/24", "entry 2: '10.0.0.5/24' has host bits set; did you mean 10.0.0.0/24?"),
        (
            "2001:db8::1/32",
            "entry 2: '2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?",
        ),
    ],
)
def test_bad_entries_name_the_entry_and_the_problem(entry: str, fragment: str) -> None:
    with pytest.raises(AllowlistError) as caught:
        parse_allowlist(["192.0.2.0/24", entry, "198.51.100.1"])

    assert caught.value.index == 1
    assert fragment in caught.value.message
    assert str(caught.value) == caught.value.message


def test_host_bits_message_quotes_the_stripped_entry() -> None:
    with pytest.raises(AllowlistError) as caught:
        parse_allowlist(["  10.0.0.5/24  "])

    assert caught.value.index == 0
    assert caught.value.message == ("entry 1: '10.0.0.5/24' has host bits set; did you mean 10.0.0.0/24?")


def test_the_first_bad_entry_is_reported() -> None:
    with pytest.raises(AllowlistError) as caught:
        parse_allowlist(["10.0.0.0/8", "bad", "worse"])

    assert caught.value.index == 1


def test_allowlist_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="entry 1"):
        parse_allowlist(["bad"])


def test_too_many_entries_concerns_the_whole_list() -> None:
    entries = [f"10.0.{index}.0/24" for index in range(MAX_ALLOWLIST_ENTRIES + 1)]

    with pytest.raises(AllowlistError) as caught:
        parse_allowlist(entries)

    assert caught.value.index is None
    assert caught.value.message.startswith("too many entries: 51 given, at most 50 allowed")


def test_too_many_entries_is_counted_before_duplicates_are_removed() -> None:
    with pytest.raises(AllowlistError, match="3 given, at most 2"):
        parse_allowlist(["10.0.0.1"] * 3, max_entries=2)


def test_a_bare_string_is_not_a_list_of_entries() -> None:
    with pytest.raises(TypeError):
        parse_allowlist("10.0.0.1")


# --- parse_networks ----------------------------------------------------------------------------


def test_parse_networks_reads_a_comma_separated_setting() -> None:
    assert parse_networks("127.0.0.1/32, 10.0.0.0/8 ,::1") == (
        IPv4Network("10.0.0.0/8"),
        IPv4Network("127.0.0.1/32"),
        IPv6Network("::1/128"),
    )


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_parse_networks_blank_is_empty(text: str) -> None:
    assert parse_networks(text) == ()


def test_parse_networks_is_not_capped() -> None:
    text = ",".join(f"10.{index // 256}.{index % 256}.0/24" for index in range(300))

    assert len(parse_networks(text)) == 300


@pytest.mark.parametrize(
    ("text", "index"),
    [("10.0.0.0/8, nonsense", 1), ("10.0.0.0/8,,127.0.0.1", 1), ("10.0.0.1/8", 0)],
)
def test_parse_networks_reports_bad_pieces(text: str, index: int) -> None:
    with pytest.raises(AllowlistError) as caught:
        parse_networks(text)

    assert caught.value.index == index


# --- client_address ----------------------------------------------------------------------------

PROXIES: tuple[IPNetwork, ...] = parse_networks("10.0.0.0/8, 2001:db8:f::/48")


def _client(remote: str | None, forwarded: str | None) -> IPAddress | None:
    return client_address(remote, forwarded, PROXIES)


def test_peer_is_the_client_without_a_header() -> None:
    assert _client("203.0.113.9", None) == IPv4Address("203.0.113.9")
    assert _client("10.0.0.2", None) == IPv4Address("10.0.0.2")
    assert _client("10.0.0.2", "") == IPv4Address("10.0.0.2")


def test_untrusted_peer_ignores_the_header() -> None:
    assert _client("203.0.113.9", "198.51.100.1") == IPv4Address("203.0.113.9")


def test_no_trusted_proxies_means_the_header_is_never_believed() -> None:
    assert client_address("10.0.0.2", "198.51.100.1", ()) == IPv4Address("10.0.0.2")


def test_trusted_peer_uses_the_header() -> None:
    assert _client("10.0.0.2", "198.51.100.1") == IPv4Address("198.51.100.1")


def test_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert _client("10.0.0.2", "198.51.100.1, 10.1.1.1, 10.2.2.2") == IPv4Address("198.51.100.1")


def test_spoofed_left_most_entries_are_ignored() -> None:
    # The client wrote "1.2.3.4, 10.9.9.9" itself; our proxy appended the real peer address.
    forwarded = "1.2.3.4, 10.9.9.9, 198.51.100.1, 10.1.1.1"

    assert _client("10.0.0.2", forwarded) == IPv4Address("198.51.100.1")


def test_only_trusted_hops_return_the_left_most_one() -> None:
    assert _client("10.0.0.2", "10.3.3.3, 10.1.1.1") == IPv4Address("10.3.3.3")


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("garbage", "10.0.0.2"),
        ("198.51.100.1, garbage", "10.0.0.2"),
        ("198.51.100.1, garbage, 10.1.1.1", "10.1.1.1"),
        ("198.51.100.1,, 10.1.1.1", "10.1.1.1"),
        ("unknown, 10.1.1.1", "10.1.1.1"),
        ("198.51.100.1, 10.1.1.1/8", "10.0.0.2"),
    ],
)
def test_garbage_stops_the_walk_at_the_last_trusted_hop(forwarded: str, expected: str) -> None:
    assert _client("10.0.0.2", forwarded) == ip_address(expected)


def test_ports_added_by_proxies_are_tolerated() -> None:
    assert _client("10.0.0.2", "198.51.100.1:51234") == IPv4Address("198.51.100.1")
    assert _client("10.0.0.2", "[2001:db8::7]:443") == IPv6Address("2001:db8::7")
    assert _client("10.0.0.2", "[2001:db8::7]") == IPv6Address("2001:db8::7")
    assert _client("10.0.0.2", "[2001:db8::7") == IPv4Address("10.0.0.2")


def test_ipv6_peers() -> None:
    assert _client("2001:db8::5", "198.51.100.1") == IPv6Address("2001:db8::5")
    assert _client("2001:db8:f::1", "198.51.100.1") == IPv4Address("198.51.100.1")
    assert _client("2001:db8:f::1", "2001:db8::5, 2001:db8:f:0::2") == IPv6Address("2001:db8::5")


def test_ipv4_mapped_peer_is_reported_as_ipv4_and_trusted_as_such() -> None:
    assert _client("::ffff:203.0.113.9", None) == IPv4Address("203.0.113.9")
    assert _client("::ffff:10.0.0.2", "198.51.100.1") == IPv4Address("198.51.100.1")
    assert _client("10.0.0.2", "::ffff:198.51.100.1") == IPv4Address("198.51.100.1")


@pytest.mark.parametrize("remote", [None, "", "garbage", "10.0.0.256", "unix:/run/sock"])
def test_unparseable_peer_gives_none(remote: str | None) -> None:
    assert _client(remote, "198.51.100.1") is None
