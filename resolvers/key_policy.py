"""The key policy in levels: the platform's (this deployment's settings), an organization's (binding its
carriers) and staff's tightening for one carrier. Each level may only tighten what the levels above it
set; the effective value of each rule is the strictest any level sets, and says which level set it (the
highest that set that value).

The rules: the longest lifetime a key may have, whether an IP allowlist is required, which scopes keys may
hold, the longest grace period a rotation may keep, whether keys that never expire are allowed. Every
create, update and rotation of a key follows the effective policy of its carrier (resolvers/
create_api_key.py, update_api_key.py, rotate_api_key.py, through resolvers/api_key_policy.py), by people
and keys alike, and is refused with a ForbiddenError naming the rule and the level. A key issued before
a tightening keeps working: `gaps` says how it falls short, and what to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from access.principal import Scope
from context import Context
from db import key_policies
from db.api_keys import ApiKeyRow, KeyStatus, PolicyCheck
from db.key_policies import CarrierLevels, KeyPolicyRow, PolicyValues
from db.loaders import ShortKey
from db.pool import Connection
from resolvers.errors import BadUserInput, Forbidden, ForbiddenRule, PolicyLevel
from settings import Settings

T = TypeVar("T")

MAX_GRACE_SECONDS = 7 * 24 * 3600
# Grace periods offered to people (Stripe's "roll key"): now, an hour, a day, a week.
GRACE_PERIOD_CHOICES = (0, 3600, 86400, 604800)
LEVEL_NAMES = {
    PolicyLevel.PLATFORM: "the platform's policy",
    PolicyLevel.ORGANIZATION: "the organization's policy",
    PolicyLevel.CARRIER: "this carrier's policy (set by staff)",
}


@dataclass(frozen=True, slots=True)
class LevelPolicy:
    """What one level says; None says nothing (the levels above decide)."""

    level: PolicyLevel
    max_lifetime_days: int | None = None
    allowlist_required: bool | None = None
    allowed_scopes: frozenset[Scope] | None = None
    max_grace_period_seconds: int | None = None
    non_expiring_allowed: bool | None = None

    @classmethod
    def of_row(cls, level: PolicyLevel, row: KeyPolicyRow | None) -> LevelPolicy:
        if row is None:
            return cls(level)
        return cls(
            level,
            max_lifetime_days=row.max_lifetime_days,
            allowlist_required=row.allowlist_required,
            allowed_scopes=frozenset(Scope(s) for s in row.allowed_scopes)
            if row.allowed_scopes is not None
            else None,
            max_grace_period_seconds=row.max_grace_period_seconds,
            non_expiring_allowed=row.non_expiring_allowed,
        )

    def values(self) -> PolicyValues:
        return PolicyValues(
            max_lifetime_days=self.max_lifetime_days,
            allowlist_required=self.allowlist_required,
            allowed_scopes=sorted(s.value for s in self.allowed_scopes)
            if self.allowed_scopes is not None
            else None,
            max_grace_period_seconds=self.max_grace_period_seconds,
            non_expiring_allowed=self.non_expiring_allowed,
        )


def platform(settings: Settings) -> LevelPolicy:
    """The platform's level: every rule set, from the deployment's settings."""
    return LevelPolicy(
        PolicyLevel.PLATFORM,
        max_lifetime_days=settings.key_max_lifetime_days,
        allowlist_required=False,
        allowed_scopes=frozenset(Scope),
        max_grace_period_seconds=MAX_GRACE_SECONDS,
        non_expiring_allowed=settings.allow_non_expiring_keys,
    )


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    value: T
    source: PolicyLevel


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """The strictest of the levels, each value with the level that set it."""

    max_lifetime_days: Sourced[int]
    allowlist_required: Sourced[bool]
    allowed_scopes: Sourced[frozenset[Scope]]
    # For each scope not allowed: the highest level that leaves it out.
    scope_refused_by: dict[Scope, PolicyLevel]
    max_grace_period_seconds: Sourced[int]
    non_expiring_allowed: Sourced[bool]
    default_lifetime_days: int

    def lifetime_choices(self, usual: Sequence[int]) -> list[int]:
        maximum = self.max_lifetime_days.value
        return sorted({days for days in usual if days <= maximum} | {self.default_lifetime_days})

    def grace_period_choices(self) -> list[int]:
        maximum = self.max_grace_period_seconds.value
        return sorted({s for s in GRACE_PERIOD_CHOICES if s <= maximum} | {maximum})


def _strictest(levels: Sequence[LevelPolicy], name: str, stricter: Callable[..., T]) -> Sourced[T]:
    said = [(getattr(level, name), level.level) for level in levels if getattr(level, name) is not None]
    value = stricter(v for v, _ in said)
    return Sourced(value, next(level for v, level in said if v == value))


def effective(levels: Sequence[LevelPolicy], default_lifetime_days: int) -> EffectivePolicy:
    """The strictest of `levels` (the platform's first, which sets every rule; then the narrower)."""
    assert levels, "the platform's level at least"
    assert levels[0].level is PolicyLevel.PLATFORM, "the platform's level comes first"
    lifetime: Sourced[int] = _strictest(levels, "max_lifetime_days", min)
    refused_by: dict[Scope, PolicyLevel] = {}
    allowed = frozenset(Scope)
    scope_source = PolicyLevel.PLATFORM
    for level in levels:
        if level.allowed_scopes is None:
            continue
        narrowed = allowed - level.allowed_scopes
        for scope in narrowed:
            refused_by.setdefault(scope, level.level)
        if narrowed:
            scope_source = level.level  # the narrowest level that left out a scope still allowed above
        allowed = allowed & level.allowed_scopes
    return EffectivePolicy(
        max_lifetime_days=lifetime,
        allowlist_required=_strictest(levels, "allowlist_required", max),
        allowed_scopes=Sourced(allowed, scope_source),
        scope_refused_by=refused_by,
        max_grace_period_seconds=_strictest(levels, "max_grace_period_seconds", min),
        non_expiring_allowed=_strictest(levels, "non_expiring_allowed", min),
        default_lifetime_days=min(default_lifetime_days, lifetime.value),
    )


def _named(level: PolicyLevel) -> str:
    return LEVEL_NAMES[level]


def scope_list(scopes: frozenset[Scope] | Sequence[Scope]) -> str:
    return ", ".join(sorted(s.name for s in scopes))


# --- reading the levels -------------------------------------------------------------------------------


def of_levels(settings: Settings, levels: CarrierLevels | None) -> EffectivePolicy:
    """A carrier's effective policy from its levels (None: the platform's alone, as for service keys)."""
    stack = [platform(settings)]
    if levels is not None:
        stack += [
            LevelPolicy.of_row(PolicyLevel.ORGANIZATION, levels.organization),
            LevelPolicy.of_row(PolicyLevel.CARRIER, levels.carrier),
        ]
    return effective(stack, settings.key_default_lifetime_days)


def of_organization(settings: Settings, own: KeyPolicyRow | None) -> EffectivePolicy:
    """What an organization's carriers follow before any carrier's own tightening."""
    stack = [platform(settings), LevelPolicy.of_row(PolicyLevel.ORGANIZATION, own)]
    return effective(stack, settings.key_default_lifetime_days)


async def in_transaction(
    conn: Connection, settings: Settings, carrier_id: uuid.UUID | None
) -> EffectivePolicy:
    """Inside a key mutation's transaction (the carrier locked): its effective policy now."""
    if carrier_id is None:
        return of_levels(settings, None)
    found = await key_policies.levels_of_carriers(conn, carrier_ids=[carrier_id])
    return of_levels(settings, found.get(carrier_id))


async def for_carrier(context: Context, carrier_id: uuid.UUID | None) -> EffectivePolicy:
    """Through the request's loaders (a page of keys asks once per carrier, in one statement)."""
    if carrier_id is None:
        return of_levels(context.settings, None)
    levels = await context.loaders.key_policy_levels_by_carrier_id.load(carrier_id)
    return of_levels(context.settings, levels)


# --- enforcing it on a key change ------------------------------------------------------------------


def refuse_scopes(
    policy: EffectivePolicy, scopes: frozenset[Scope], *, field: str, rotating: bool = False
) -> None:
    beyond = scopes - policy.allowed_scopes.value
    if not beyond:
        return
    level = min((policy.scope_refused_by[s] for s in beyond), key=_rank)
    what = (
        "The key holds scopes the policy no longer allows; update its scopes first, then rotate it"
        if rotating
        else "Keys of this carrier may not hold"
    )
    raise Forbidden(
        f"{what}: {scope_list(beyond)} (not allowed by {_named(level)}; allowed: "
        f"{scope_list(policy.allowed_scopes.value)}).",
        field=field,
        rule=ForbiddenRule.POLICY_SCOPE_NOT_ALLOWED,
        level=level,
    )


def refuse_allowlist(policy: EffectivePolicy, entries: int, *, field: str, rotating: bool = False) -> None:
    if entries or not policy.allowlist_required.value:
        return
    what = (
        "The key has no IP allowlist, which the policy now requires: give it one first, then rotate it"
        if rotating
        else "Keys of this carrier need an IP allowlist: give the addresses or ranges it is used from"
    )
    raise Forbidden(
        f"{what} (required by {_named(policy.allowlist_required.source)}).",
        field=field,
        rule=ForbiddenRule.POLICY_ALLOWLIST_REQUIRED,
        level=policy.allowlist_required.source,
    )


def refuse_lifetime(policy: EffectivePolicy, expires_at: datetime, now: datetime, *, field: str) -> None:
    """An expiry later than the effective maximum from now; beyond the platform's own maximum it stays
    the validation error it has always been."""
    maximum = policy.max_lifetime_days
    if expires_at <= now + timedelta(days=maximum.value):
        return
    if maximum.source is PolicyLevel.PLATFORM:
        raise BadUserInput(f"{field} may be at most {maximum.value} days from now.", field=field)
    raise Forbidden(
        f"{field} may be at most {maximum.value} days from now ({_named(maximum.source)}).",
        field=field,
        rule=ForbiddenRule.POLICY_MAX_LIFETIME,
        level=maximum.source,
    )


def refuse_non_expiring(policy: EffectivePolicy, *, field: str) -> None:
    allowed = policy.non_expiring_allowed
    if allowed.value:
        return
    raise Forbidden(
        f"Keys without an expiry are not allowed by {_named(allowed.source)}; set an expiry (at most "
        f"{policy.max_lifetime_days.value} days).",
        field=field,
        rule=ForbiddenRule.NON_EXPIRING_NOT_ALLOWED,
        level=allowed.source,
    )


def refuse_grace_period(policy: EffectivePolicy, seconds: int, *, field: str) -> None:
    maximum = policy.max_grace_period_seconds
    if seconds <= maximum.value:
        return
    raise Forbidden(
        f"A rotation may keep the old key working for at most {maximum.value} seconds "
        f"({_named(maximum.source)}).",
        field=field,
        rule=ForbiddenRule.POLICY_MAX_GRACE_PERIOD,
        level=maximum.source,
    )


def _rank(level: PolicyLevel) -> int:
    return list(PolicyLevel).index(level)


# --- keys that a tightened policy would refuse ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """How a key falls short of its carrier's policy now, and what to do about it."""

    rule: ForbiddenRule
    level: PolicyLevel
    message: str
    remedy: str


def gaps(key: ApiKeyRow, policy: EffectivePolicy, now: datetime) -> list[Gap]:
    """What a new or tightened policy would refuse of an active key, which keeps working meanwhile."""
    if key.status(now) is not KeyStatus.ACTIVE:
        return []
    found: list[Gap] = []
    held = frozenset(Scope(s) for s in key.scopes)
    beyond = held - policy.allowed_scopes.value
    if beyond:
        level = min((policy.scope_refused_by[s] for s in beyond), key=_rank)
        found.append(
            Gap(
                ForbiddenRule.POLICY_SCOPE_NOT_ALLOWED,
                level,
                f"Holds {scope_list(beyond)}, which {_named(level)} does not allow.",
                f"Edit the key to remove {scope_list(beyond)}.",
            )
        )
    if policy.allowlist_required.value and not key.ip_allowlist:
        found.append(
            Gap(
                ForbiddenRule.POLICY_ALLOWLIST_REQUIRED,
                policy.allowlist_required.source,
                f"Works from any address; {_named(policy.allowlist_required.source)} requires an IP "
                "allowlist.",
                "Edit the key to give the addresses or ranges it is used from.",
            )
        )
    maximum = policy.max_lifetime_days
    if key.expires_at is None:
        if not policy.non_expiring_allowed.value:
            found.append(
                Gap(
                    ForbiddenRule.NON_EXPIRING_NOT_ALLOWED,
                    policy.non_expiring_allowed.source,
                    f"Never expires; {_named(policy.non_expiring_allowed.source)} does not allow that.",
                    f"Edit the key to give it an expiry within {maximum.value} days.",
                )
            )
    elif key.expires_at > now + timedelta(days=maximum.value):
        found.append(
            Gap(
                ForbiddenRule.POLICY_MAX_LIFETIME,
                maximum.source,
                f"Expires more than {maximum.value} days from now, the most {_named(maximum.source)} allows.",
                f"Edit the key to expire within {maximum.value} days, or rotate it.",
            )
        )
    if key.revoked_at is not None:  # active and revoked: in a rotation's grace period
        grace = policy.max_grace_period_seconds
        if key.revoked_at > now + timedelta(seconds=grace.value):
            found.append(
                Gap(
                    ForbiddenRule.POLICY_MAX_GRACE_PERIOD,
                    grace.source,
                    f"Keeps working after its rotation for longer than the {grace.value} seconds "
                    f"{_named(grace.source)} allows.",
                    "End its grace period now (revoke it) once its replacement is in use.",
                )
            )
    return found


def policy_check(settings: Settings, *, meets: bool) -> PolicyCheck:
    """The SQL form of `gaps` (db/api_keys.short_of_policy) needs the platform's level."""
    level = platform(settings)
    return PolicyCheck(
        meets=meets,
        max_lifetime_days=settings.key_max_lifetime_days,
        non_expiring_allowed=settings.allow_non_expiring_keys,
        max_grace_period_seconds=level.max_grace_period_seconds or MAX_GRACE_SECONDS,
    )


async def keys_short(context: Context, owner_id: uuid.UUID, *, organization: bool) -> int:
    """How many active keys in reach of a carrier (or of every carrier of an organization) fall short of
    their carrier's effective policy now: those `gaps` lists, counted in one statement for a whole page."""
    key = ShortKey(owner_id, organization, policy_check(context.settings, meets=False))
    count: int = await context.loaders.keys_short_of_policy.load(key)
    return count


# --- setting a level ----------------------------------------------------------------------------------


def refuse_looser(proposed: LevelPolicy, above: EffectivePolicy) -> None:
    """A level may only tighten what the levels above it set: the first value looser than theirs is
    refused, naming the level that set it."""

    def refuse(field: str, level: PolicyLevel, what: str) -> None:
        raise Forbidden(
            f"{what}: {_named(level)} sets a stricter value, and a level may only tighten it.",
            field=field,
            rule=ForbiddenRule.POLICY_LOOSER_THAN_LEVEL_ABOVE,
            level=level,
        )

    lifetime = above.max_lifetime_days
    if proposed.max_lifetime_days is not None and proposed.max_lifetime_days > lifetime.value:
        refuse("maxLifetimeDays", lifetime.source, f"A maximum lifetime above {lifetime.value} days")
    required = above.allowlist_required
    if proposed.allowlist_required is False and required.value:
        refuse("allowlistRequired", required.source, "An IP allowlist cannot be made optional")
    if proposed.allowed_scopes is not None:
        beyond = proposed.allowed_scopes - above.allowed_scopes.value
        if beyond:
            level = min((above.scope_refused_by[s] for s in beyond), key=_rank)
            refuse("allowedScopes", level, f"Allowing {scope_list(beyond)}")
    grace = above.max_grace_period_seconds
    if proposed.max_grace_period_seconds is not None and proposed.max_grace_period_seconds > grace.value:
        refuse("maxGracePeriodSeconds", grace.source, f"A grace period above {grace.value} seconds")
    never = above.non_expiring_allowed
    if proposed.non_expiring_allowed is True and not never.value:
        refuse("nonExpiringAllowed", never.source, "Allowing keys that never expire")


def check_values(level: PolicyLevel, values: PolicyValues) -> LevelPolicy:
    """A mutation's input as a level's policy, each value in range."""
    if values.max_lifetime_days is not None and values.max_lifetime_days < 1:
        raise BadUserInput("maxLifetimeDays must be at least 1.", field="maxLifetimeDays")
    if values.max_grace_period_seconds is not None and values.max_grace_period_seconds < 0:
        raise BadUserInput(
            "maxGracePeriodSeconds must be 0 (no grace period) or more.", field="maxGracePeriodSeconds"
        )
    scopes = None
    if values.allowed_scopes is not None:
        if not values.allowed_scopes:
            raise BadUserInput(
                "Allow at least one scope (to stop every key, turn the carrier's API access off).",
                field="allowedScopes",
            )
        scopes = frozenset(Scope(s) for s in values.allowed_scopes)
    return LevelPolicy(
        level,
        max_lifetime_days=values.max_lifetime_days,
        allowlist_required=values.allowlist_required,
        allowed_scopes=scopes,
        max_grace_period_seconds=values.max_grace_period_seconds,
        non_expiring_allowed=values.non_expiring_allowed,
    )
