"""The key policy's levels, as properties over every combination: the effective value is never looser than
any level that sets one, and its source is a level that set exactly it; a level accepted as no looser
than the levels above changes nothing looser; keys judged against it fall short exactly where it says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from access.principal import Scope
from resolvers import key_policy
from resolvers.errors import ApiError, Forbidden, ForbiddenRule, PolicyLevel
from resolvers.key_policy import EffectivePolicy, LevelPolicy
from tests.conftest import make_settings
from tests.drawn import properties

SCOPE_SETS = st.frozensets(st.sampled_from(list(Scope)), min_size=1)


def level(name: PolicyLevel) -> st.SearchStrategy[LevelPolicy]:
    return st.builds(
        LevelPolicy,
        st.just(name),
        max_lifetime_days=st.none() | st.integers(1, 800),
        allowlist_required=st.none() | st.booleans(),
        allowed_scopes=st.none() | SCOPE_SETS,
        max_grace_period_seconds=st.none() | st.integers(0, 700_000),
        non_expiring_allowed=st.none() | st.booleans(),
    )


PLATFORMS = st.builds(
    lambda maximum, default, never: key_policy.platform(
        make_settings(
            key_max_lifetime_days=maximum,
            key_default_lifetime_days=min(default, maximum),
            allow_non_expiring_keys=never,
        )
    ),
    st.integers(1, 730),
    st.integers(1, 730),
    st.booleans(),
)
STACKS = st.tuples(PLATFORMS, level(PolicyLevel.ORGANIZATION), level(PolicyLevel.CARRIER))

NUMBERS = ("max_lifetime_days", "max_grace_period_seconds")


@properties(300)
@given(STACKS, st.integers(1, 730))
def test_no_combination_of_levels_is_looser_than_any_level_set(
    stack: tuple[LevelPolicy, ...], default: int
) -> None:
    limits = key_policy.effective(stack, default)
    for each in stack:
        for name in NUMBERS:
            said = getattr(each, name)
            if said is not None:
                assert getattr(limits, name).value <= said
        if each.allowlist_required:
            assert limits.allowlist_required.value
        if each.non_expiring_allowed is False:
            assert not limits.non_expiring_allowed.value
        if each.allowed_scopes is not None:
            assert limits.allowed_scopes.value <= each.allowed_scopes
    # and never stricter than the levels make it: each value is one a level set, named by its level
    by_level = {each.level: each for each in stack}
    for name in (*NUMBERS, "allowlist_required", "non_expiring_allowed"):
        chosen = getattr(limits, name)
        assert getattr(by_level[chosen.source], name) == chosen.value
        # the highest level that set it
        higher = [e for e in stack[: list(by_level).index(chosen.source)] if getattr(e, name) == chosen.value]
        assert not higher
    assert limits.allowed_scopes.value == frozenset(Scope).intersection(
        *(e.allowed_scopes for e in stack if e.allowed_scopes is not None)
    )
    for scope, refused_by in limits.scope_refused_by.items():
        assert scope not in limits.allowed_scopes.value
        assert scope not in (by_level[refused_by].allowed_scopes or frozenset(Scope))
    assert limits.default_lifetime_days <= limits.max_lifetime_days.value
    assert all(days <= limits.max_lifetime_days.value for days in limits.lifetime_choices((7, 30, 60, 90)))
    assert all(s <= limits.max_grace_period_seconds.value for s in limits.grace_period_choices())


@properties(300)
@given(STACKS)
def test_a_level_is_accepted_only_where_it_loosens_nothing(stack: tuple[LevelPolicy, ...]) -> None:
    platform, organization, carrier = stack
    above = key_policy.effective([platform, organization], 90)
    refusal: Forbidden | None = None
    try:
        key_policy.refuse_looser(carrier, above)
    except Forbidden as refused:
        refusal = refused
    if refusal is not None:
        assert refusal.rule is ForbiddenRule.POLICY_LOOSER_THAN_LEVEL_ABOVE
        assert refusal.level in (PolicyLevel.PLATFORM, PolicyLevel.ORGANIZATION)
        assert refusal.field is not None
        return
    # accepted: with it, every value is the carrier's own wherever it set one
    limits = key_policy.effective(stack, 90)
    for name in NUMBERS:
        if getattr(carrier, name) is not None:
            assert getattr(limits, name).value == getattr(carrier, name)
    if carrier.allowed_scopes is not None:
        assert limits.allowed_scopes.value == carrier.allowed_scopes


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def limits_of(**values: Any) -> EffectivePolicy:
    platform = key_policy.platform(make_settings())
    return key_policy.effective([platform, replace(LevelPolicy(PolicyLevel.ORGANIZATION), **values)], 90)


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"max_lifetime_days": 30}, ForbiddenRule.POLICY_MAX_LIFETIME),
        ({"allowlist_required": True}, ForbiddenRule.POLICY_ALLOWLIST_REQUIRED),
        ({"allowed_scopes": frozenset({Scope.CARRIER_READ})}, ForbiddenRule.POLICY_SCOPE_NOT_ALLOWED),
    ],
)
def test_an_old_key_falls_short_of_a_tightened_policy_with_what_to_do(
    values: dict[str, Any], rule: ForbiddenRule
) -> None:
    class Row:  # what gaps reads of a key
        scopes = ("carrier:read", "keys:read")
        ip_allowlist = ()
        expires_at = NOW + timedelta(days=80)
        revoked_at = None

        def status(self, now: datetime) -> object:
            from db.api_keys import KeyStatus

            return KeyStatus.ACTIVE

    found = key_policy.gaps(Row(), limits_of(**values), NOW)  # type: ignore[arg-type]
    assert [(g.rule, g.level) for g in found] == [(rule, PolicyLevel.ORGANIZATION)]
    assert found[0].remedy
    assert key_policy.gaps(Row(), limits_of(), NOW) == []  # type: ignore[arg-type]


def test_refusals_name_the_rule_and_the_level() -> None:
    limits = limits_of(max_lifetime_days=30, allowlist_required=True, max_grace_period_seconds=3600)
    cases: list[Callable[[], None]] = [
        lambda: key_policy.refuse_lifetime(limits, NOW + timedelta(days=31), NOW, field="expiresAt"),
        lambda: key_policy.refuse_allowlist(limits, 0, field="ipAllowlist"),
        lambda: key_policy.refuse_grace_period(limits, 7200, field="gracePeriodSeconds"),
    ]
    for case in cases:
        with pytest.raises(ApiError) as raised:
            case()
        assert isinstance(raised.value, Forbidden)
        assert raised.value.level is PolicyLevel.ORGANIZATION
        assert raised.value.extensions["level"] == "ORGANIZATION"
