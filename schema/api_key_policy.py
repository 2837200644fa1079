"""The API key policy this server enforces, readable: the Tools page takes every number from here."""

from __future__ import annotations

import strawberry

from access.addresses import MAX_ALLOWLIST_ENTRIES
from access.principal import IMPLIED, SERVICE_SCOPES, Scope
from db.key_expiry import EXPIRING_SOON_DAYS
from resolvers import api_key_policy as policy
from schema.enums import SCOPE_DESCRIPTIONS, SCOPE_RESOURCES, ActorKind, ApiKeyScope, ScopeAccess
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
    scopes: list[ApiKeyScopeDescription] = strawberry.field(description="Every scope a key may hold.")

    @classmethod
    def of(cls, settings: Settings) -> ApiKeyPolicy:
        allowed = settings.allow_non_expiring_keys
        maximum = int(policy.MAX_GRACE.total_seconds())
        return cls(
            default_lifetime_days=settings.key_default_lifetime_days,
            max_lifetime_days=settings.key_max_lifetime_days,
            non_expiring_allowed=allowed,
            non_expiring_allowed_for=[ActorKind.STAFF] if allowed else [],
            max_allowlist_entries=MAX_ALLOWLIST_ENTRIES,
            max_active_keys_per_carrier=settings.max_active_keys_per_carrier,
            max_grace_period_seconds=maximum,
            grace_period_choices_seconds=[s for s in policy.GRACE_PERIOD_CHOICES if s <= maximum],
            lifetime_choices_days=policy.lifetime_choices(settings),
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
                )
                for scope in Scope
            ],
        )
