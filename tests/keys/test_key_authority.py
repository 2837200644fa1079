"""What a key may hand out, as properties over generated scopes, ranges and expiries (the pure rules of
resolvers/api_key_policy.Authority; tests/keys/test_keys_manage_keys.py runs them through the API)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from access.addresses import IPNetwork
from access.principal import Scope
from resolvers.api_key_policy import Authority
from resolvers.errors import Forbidden, ForbiddenRule

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None)

NETWORKS_V4 = st.builds(
    lambda address, prefix: ipaddress.IPv4Network((address, prefix), strict=False),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=0, max_value=32),
)
NETWORKS_V6 = st.builds(
    lambda address, prefix: ipaddress.IPv6Network((address, prefix), strict=False),
    st.integers(min_value=0, max_value=2**128 - 1),
    st.integers(min_value=0, max_value=128),
)
NETWORKS: st.SearchStrategy[IPNetwork] = st.one_of(NETWORKS_V4, NETWORKS_V6)
SCOPE_SETS = st.frozensets(st.sampled_from(list(Scope)))


def covered(network: IPNetwork, ranges: list[IPNetwork]) -> bool:
    """The reference: every address of `network` lies in one of `ranges`."""
    return any(
        network.version == r.version
        and int(r.network_address) <= int(network.network_address)
        and int(network.broadcast_address) <= int(r.broadcast_address)
        for r in ranges
    )


@PROPERTIES
@given(own=st.lists(NETWORKS, min_size=1, max_size=4), asked=st.lists(NETWORKS, max_size=4))
def test_an_allowlist_is_given_exactly_when_it_stays_within_the_keys_own(
    own: list[IPNetwork], asked: list[IPNetwork]
) -> None:
    authority = Authority(scopes=frozenset(Scope), networks=tuple(own), expires_at=None)
    within = bool(asked) and all(covered(network, own) for network in asked)
    if within:
        assert authority.allowlist_within(tuple(asked)) == [str(n) for n in asked]
    else:
        with pytest.raises(Forbidden) as refused:
            authority.allowlist_within(tuple(asked))
        assert refused.value.rule is ForbiddenRule.ALLOWLIST_WIDER


@PROPERTIES
@given(own=SCOPE_SETS, asked=SCOPE_SETS.filter(bool))
def test_scopes_are_given_exactly_when_held(own: frozenset[Scope], asked: frozenset[Scope]) -> None:
    authority = Authority(scopes=own, networks=None, expires_at=None)
    if asked <= own:
        assert authority.scopes_within(sorted(asked, key=lambda s: s.value)) == sorted(s.value for s in asked)
    else:
        with pytest.raises(Forbidden) as refused:
            authority.scopes_within(sorted(asked, key=lambda s: s.value))
        assert refused.value.rule is ForbiddenRule.SCOPE_NOT_HELD


@PROPERTIES
@given(own=st.integers(min_value=1, max_value=400), asked=st.one_of(st.none(), st.integers(1, 400)))
def test_an_expiry_is_given_exactly_when_no_later_than_the_keys_own(own: int, asked: int | None) -> None:
    authority = Authority(scopes=frozenset(Scope), networks=None, expires_at=NOW + timedelta(days=own))
    moment = NOW + timedelta(days=asked) if asked is not None else None
    if moment is not None and asked is not None and asked <= own:
        assert authority.expiry_within(moment, field="expiresAt") == moment
    else:
        with pytest.raises(Forbidden) as refused:
            authority.expiry_within(moment, field="expiresAt")
        assert refused.value.rule is ForbiddenRule.EXPIRY_LATER


@PROPERTIES
@given(
    own=st.lists(NETWORKS, min_size=1, max_size=3), target=st.lists(NETWORKS, max_size=3), scopes=SCOPE_SETS
)
def test_a_target_is_reached_exactly_when_it_is_no_stronger(
    own: list[IPNetwork], target: list[IPNetwork], scopes: frozenset[Scope]
) -> None:
    row: Any = SimpleNamespace(
        hint="cak_test_…abcd",
        scopes=[s.value for s in scopes],
        ip_allowlist=target,
        expires_at=NOW + timedelta(days=5),
    )
    held = frozenset({Scope.CARRIER_READ, Scope.KEYS_WRITE, Scope.KEYS_READ})
    authority = Authority(scopes=held, networks=tuple(own), expires_at=NOW + timedelta(days=10))
    weaker = scopes <= held and bool(target) and all(covered(n, own) for n in target)
    if weaker:
        authority.refuse_if_stronger(row)
    else:
        with pytest.raises(Forbidden) as refused:
            authority.refuse_if_stronger(row)
        assert refused.value.rule is ForbiddenRule.TARGET_STRONGER
