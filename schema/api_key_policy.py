"""The API key policy this server enforces, readable: the Tools page takes every number from here. For a
carrier, the effective policy: the strictest of the platform's, its organization's and staff's tightening
for it, each rule with the level that set it (resolvers/key_policy.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import strawberry
from strawberry.types import Info

from access.addresses import MAX_ALLOWLIST_ENTRIES
from access.principal import IMPLIED, SERVICE_SCOPES, Scope
from context import Context
from db.key_expiry import EXPIRING_SOON_DAYS
from db.key_policies import KeyPolicyRow
from resolvers import api_key_policy as policy
from resolvers import key_policy
from resolvers.errors import ForbiddenRule
from schema.actor import Actor
from schema.enums import (
    SCOPE_DESCRIPTIONS,
    SCOPE_RESOURCES,
    ActorKind,
    ApiKeyScope,
    KeyPolicyLevel,
    ScopeAccess,
)
from settings import Settings


@strawberry.type(description="A scope an API key may hold, and what it lets the key do.")
class ApiKeyScopeDescription:
    scope: ApiKeyScope = strawberry.field(description="The scope.")
    description: str = strawberry.field(description="What it lets a key read or do.")
    includes: list[ApiKeyScope] = strawberry.field(
        description="Scopes it includes: a key holding this one holds these too."
    )
    resource: str = strawberry.field(
        description="What it opens, in words ('API keys'): scopes of one resource share this name."
    )
    access: ScopeAccess = strawberry.field(description="Whether it reads the resource or changes it too.")
    allowed: bool = strawberry.field(
        default=True, description="Whether the key policy (for this carrier) lets keys hold it."
    )
    not_allowed_by: KeyPolicyLevel | None = strawberry.field(
        default=None, description="When not allowed: the highest level of the key policy that leaves it out."
    )


@dataclass(frozen=True, slots=True)
class PolicyOwner:
    """Whose effective policy an ApiKeyPolicy is: a carrier's, or (`organization`) an organization's."""

    id: uuid.UUID
    organization: bool = False


@strawberry.type(
    description="The rules every API key of this deployment follows; all numbers the server enforces."
)
class ApiKeyPolicy:
    default_lifetime_days: int = strawberry.field(description="The expiry a key gets when none is asked for.")
    max_lifetime_days: int = strawberry.field(description="The latest expiry a key may be given, from now.")
    non_expiring_allowed: bool = strawberry.field(
        description="Whether keys that never expire may be issued here at all."
    )
    non_expiring_allowed_for: list[ActorKind] = strawberry.field(
        description="Who may issue them (staff, where they are allowed); empty when nobody may."
    )
    max_allowlist_entries: int = strawberry.field(description="Addresses and CIDR ranges one key may list.")
    max_active_keys_per_carrier: int = strawberry.field(
        description="Active keys a carrier may have (keys in a rotation's grace period count)."
    )
    max_grace_period_seconds: int = strawberry.field(
        description="The longest an old key may keep working after a rotation."
    )
    grace_period_choices_seconds: list[int] = strawberry.field(
        description="Grace periods to offer: now, an hour, a day, a week (within the maximum)."
    )
    lifetime_choices_days: list[int] = strawberry.field(
        description="Lifetimes to offer when a key is issued, in days, shortest first: 7, 30, 60 and 90 "
        "within the maximum, and the default lifetime."
    )
    expiring_soon_days: int = strawberry.field(
        description="A key expiring within this many days is 'expiring soon' (an activity event is written)."
    )
    max_active_service_keys: int = strawberry.field(
        description="Active service keys the platform may have (staff issue them; rotations count)."
    )
    service_key_scopes: list[ApiKeyScope] = strawberry.field(
        description="The scopes a service key may hold (it reaches every carrier, so it only reads)."
    )
    unused_after_days: int = strawberry.field(
        description="A key not used for this many days (or never, this long after it was issued) is "
        "'unused': worth revoking."
    )
    max_description_length: int = strawberry.field(description="The longest a key's description may be.")
    environment: str = strawberry.field(description="The marker new keys carry: `live` or `test`.")
    scopes: list[ApiKeyScopeDescription] = strawberry.field(
        description="Every scope, with whether the policy allows keys to hold it (`allowed`)."
    )
    max_lifetime_days_source: KeyPolicyLevel = strawberry.field(
        description="The level that set `maxLifetimeDays` (the highest that set that value)."
    )
    non_expiring_allowed_source: KeyPolicyLevel = strawberry.field(
        description="The level that set `nonExpiringAllowed`."
    )
    max_grace_period_seconds_source: KeyPolicyLevel = strawberry.field(
        description="The level that set `maxGracePeriodSeconds`."
    )
    allowlist_required: bool = strawberry.field(
        description="Whether every key must have an IP allowlist (an empty one, meaning anywhere, is "
        "refused)."
    )
    allowlist_required_source: KeyPolicyLevel = strawberry.field(
        description="The level that set `allowlistRequired`."
    )
    allowed_scopes: list[ApiKeyScope] = strawberry.field(
        description="The scopes keys may hold (each scope's `notAllowedBy` says which level left it out)."
    )
    allowed_scopes_source: KeyPolicyLevel = strawberry.field(
        description="The narrowest level that left out a scope; PLATFORM when none is left out."
    )
    # Whose policy this is: a carrier's or an organization's (None: the platform's own).
    owner: strawberry.Private[PolicyOwner | None] = None

    @strawberry.field(
        description="How many active keys fall short of this policy now (their `policyGaps` is not "
        "empty): this carrier's, or an organization's carriers' in your reach, each by its own carrier's "
        "policy; list them with `apiKeys(filter: {meetsPolicy: false})`. Null for the platform's policy."
    )
    async def keys_not_meeting_policy(self, info: Info[Context, None]) -> int | None:
        if self.owner is None:
            return None
        return await key_policy.keys_short(info.context, self.owner.id, organization=self.owner.organization)

    @classmethod
    def of(
        cls,
        settings: Settings,
        limits: key_policy.EffectivePolicy | None = None,
        owner: PolicyOwner | None = None,
    ) -> ApiKeyPolicy:
        """The platform's policy; given `limits`, a carrier's (or an organization's: `owner`) effective
        policy."""
        if limits is None:
            limits = key_policy.of_levels(settings, None)
        allowed = limits.non_expiring_allowed.value
        refused_by = limits.scope_refused_by
        return cls(
            default_lifetime_days=limits.default_lifetime_days,
            max_lifetime_days=limits.max_lifetime_days.value,
            max_lifetime_days_source=limits.max_lifetime_days.source,
            non_expiring_allowed=allowed,
            non_expiring_allowed_source=limits.non_expiring_allowed.source,
            non_expiring_allowed_for=[ActorKind.STAFF] if allowed else [],
            max_allowlist_entries=MAX_ALLOWLIST_ENTRIES,
            max_active_keys_per_carrier=settings.max_active_keys_per_carrier,
            max_grace_period_seconds=limits.max_grace_period_seconds.value,
            max_grace_period_seconds_source=limits.max_grace_period_seconds.source,
            grace_period_choices_seconds=limits.grace_period_choices(),
            lifetime_choices_days=limits.lifetime_choices(policy.LIFETIME_CHOICES_DAYS),
            allowlist_required=limits.allowlist_required.value,
            allowlist_required_source=limits.allowlist_required.source,
            allowed_scopes=sorted(limits.allowed_scopes.value, key=lambda s: s.name),
            allowed_scopes_source=limits.allowed_scopes.source,
            owner=owner,
            expiring_soon_days=EXPIRING_SOON_DAYS,
            max_active_service_keys=settings.max_active_keys_per_carrier,
            service_key_scopes=sorted(SERVICE_SCOPES, key=lambda s: s.name),
            unused_after_days=settings.key_unused_after_days,
            max_description_length=policy.MAX_DESCRIPTION_LENGTH,
            environment=settings.key_environment,
            scopes=[
                ApiKeyScopeDescription(
                    scope=scope,
                    description=SCOPE_DESCRIPTIONS[scope.name],
                    includes=sorted(IMPLIED.get(scope, frozenset()), key=lambda s: s.name),
                    resource=SCOPE_RESOURCES[scope.name][0],
                    access=SCOPE_RESOURCES[scope.name][1],
                    allowed=scope not in refused_by,
                    not_allowed_by=refused_by.get(scope),
                )
                for scope in Scope
            ],
        )


@strawberry.type(
    description="What one level of the key policy says (an organization's, or staff's for one carrier); a "
    "null value says nothing, and the levels above decide."
)
class KeyPolicySettings:
    max_lifetime_days: int | None = strawberry.field(
        description="The longest lifetime a key may have, in days."
    )
    allowlist_required: bool | None = strawberry.field(description="Whether keys need an IP allowlist.")
    allowed_scopes: list[ApiKeyScope] | None = strawberry.field(description="The scopes keys may hold.")
    max_grace_period_seconds: int | None = strawberry.field(
        description="The longest a rotated key may keep working."
    )
    non_expiring_allowed: bool | None = strawberry.field(
        description="Whether keys that never expire are allowed (false forbids them; true only where the "
        "platform allows them)."
    )
    version: int = strawberry.field(description="Incremented on every change; 0 when never set.")
    updated_at: datetime | None = strawberry.field(description="When it was last set.")
    updated_by: Actor | None = strawberry.field(description="Who last set it.")

    @classmethod
    def of(cls, row: KeyPolicyRow | None) -> KeyPolicySettings:
        if row is None:
            return cls(
                max_lifetime_days=None,
                allowlist_required=None,
                allowed_scopes=None,
                max_grace_period_seconds=None,
                non_expiring_allowed=None,
                version=0,
                updated_at=None,
                updated_by=None,
            )
        return cls(
            max_lifetime_days=row.max_lifetime_days,
            allowlist_required=row.allowlist_required,
            allowed_scopes=sorted((Scope(s) for s in row.allowed_scopes), key=lambda s: s.name)
            if row.allowed_scopes is not None
            else None,
            max_grace_period_seconds=row.max_grace_period_seconds,
            non_expiring_allowed=row.non_expiring_allowed,
            version=row.version,
            updated_at=row.updated_at,
            updated_by=Actor.of(row.updated_by_kind, row.updated_by_id, row.updated_by_name),
        )


@strawberry.type(
    description="How an active key falls short of its carrier's key policy as it is now (set or tightened "
    "after the key was issued or changed). The key keeps working; `remedy` says what to do."
)
class ApiKeyPolicyGap:
    rule: ForbiddenRule = strawberry.field(description="The rule it does not meet.")
    level: KeyPolicyLevel = strawberry.field(description="The level of the policy that set that rule.")
    message: str = strawberry.field(description="How it falls short, for a person to read.")
    remedy: str = strawberry.field(description="What to do about it.")

    @classmethod
    def of(cls, gap: key_policy.Gap) -> ApiKeyPolicyGap:
        return cls(rule=gap.rule, level=gap.level, message=gap.message, remedy=gap.remedy)
