"""The schema's enums, each the GraphQL face of a Python enum the rest of the code already uses."""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from access.principal import PrincipalKind, Scope
from db.activity import Outcome
from db.api_keys import KeyKind, KeyStatus
from db.enablements import EnablementState, Source
from resolvers.errors import ForbiddenRule, PolicyLevel

# The rest of the code's enums get their GraphQL names and descriptions here; the aliases let the
# schema modules say which GraphQL enum they mean.
strawberry.enum(Scope, name="ApiKeyScope", description="What an API key may read or do for its carrier.")
strawberry.enum(
    KeyStatus,
    name="ApiKeyStatus",
    description="Derived from the key's expiry and revocation: ACTIVE keys authenticate, others never.",
)
strawberry.enum(
    KeyKind,
    name="ApiKeyKind",
    description="A carrier's key, or a service key: issued by staff for the vendor's other services, it "
    "belongs to no carrier, reaches every carrier and only reads (CARRIER_READ, ENABLEMENTS_READ).",
)
strawberry.enum(
    Source,
    name="EnablementSource",
    description="Where a feature's effective value comes from: the carrier's own setting, its "
    "organization's, or the feature's default.",
)
strawberry.enum(
    ForbiddenRule,
    name="ForbiddenRule",
    description="Which rule refused a change to an API key.",
)
for _value in ForbiddenRule.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = {
        "SCOPE_NOT_HELD": "The key would get a scope the caller does not hold.",
        "ALLOWLIST_WIDER": "The key would work from addresses outside the calling key's own allowlist.",
        "EXPIRY_LATER": "The key would expire later than the calling key.",
        "TARGET_STRONGER": "The key can do more than the calling key, which manages only keys no stronger.",
        "CALLER_IN_GRACE_PERIOD": "The calling key was rotated: in its grace period it manages no keys.",
        "NON_EXPIRING_NOT_ALLOWED": "Keys that never expire are not allowed here, or not for this caller.",
        "API_ACCESS_DISABLED": "The carrier's API access feature (integrations.api_access) is off.",
        "SERVICE_KEY": "Service keys (of no carrier) are issued and managed by the platform's staff only.",
        "POLICY_MAX_LIFETIME": "The key would live longer than the key policy allows (`level` set it).",
        "POLICY_ALLOWLIST_REQUIRED": "The key policy requires an IP allowlist (`level` set it).",
        "POLICY_SCOPE_NOT_ALLOWED": "The key would hold a scope the key policy does not allow (`level`).",
        "POLICY_MAX_GRACE_PERIOD": "The grace period is longer than the key policy allows (`level`).",
        "POLICY_LOOSER_THAN_LEVEL_ABOVE": "A key policy value looser than a level above sets (`level`): a "
        "level may only tighten.",
        "POLICY_NOT_ADMINISTRATOR": "Only the organization's administrators and staff set its key policy.",
        "PEOPLE_ONLY": "Only people (not API keys) request changes from Support.",
        "OWN_REQUEST": "Nobody approves or declines their own request.",
    }[_value.name]

strawberry.enum(
    PolicyLevel,
    name="KeyPolicyLevel",
    description="A level of the API key policy, from the widest: the platform (this deployment), an "
    "organization (binding its carriers), one carrier (tightened by staff). A level only tightens what the "
    "levels above it set.",
)
for _level in PolicyLevel.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _level.description = {
        "PLATFORM": "This deployment's own policy (its settings): every rule has a value here.",
        "ORGANIZATION": "The carrier's organization's policy, set by its administrators or staff.",
        "CARRIER": "Staff's tightening for this carrier alone.",
    }[_level.name]
strawberry.enum(EnablementState, description="A feature's setting for one carrier or organization.")
strawberry.enum(
    Outcome, name="ActivityOutcome", description="Whether an activity event's change happened or was refused."
)
strawberry.enum(
    PrincipalKind,
    name="ActorKind",
    description="Who did something: platform staff, a carrier or organization administrator, an API "
    "key, nobody signed in, or the system itself.",
)


SCOPE_DESCRIPTIONS = {
    "CARRIER_READ": "Read the key's carrier and its organization.",
    "ENABLEMENTS_READ": "Read feature enablements and the feature catalogue.",
    "KEYS_READ": "Read the carrier's API keys (never their secrets).",
    "KEYS_WRITE": "Issue, change, rotate and revoke the carrier's API keys (no stronger than the key "
    "itself, when a key does it); includes KEYS_READ.",
    "ACTIVITY_READ": "Read the carrier's activity log.",
}


@strawberry.enum(description="How far a scope opens its resource: reading it, or changing it too.")
class ScopeAccess(enum.Enum):
    READ = strawberry.enum_value("READ", description="Read the resource.")
    WRITE = strawberry.enum_value("WRITE", description="Read and change the resource.")


# Each scope as a resource and a level of access, so a page can offer "no access / read / write" per
# resource (GitHub's and Stripe's key forms) without parsing scope names.
SCOPE_RESOURCES: dict[str, tuple[str, ScopeAccess]] = {
    "CARRIER_READ": ("Carrier and organization", ScopeAccess.READ),
    "ENABLEMENTS_READ": ("Feature enablements", ScopeAccess.READ),
    "KEYS_READ": ("API keys", ScopeAccess.READ),
    "KEYS_WRITE": ("API keys", ScopeAccess.WRITE),
    "ACTIVITY_READ": ("Activity log", ScopeAccess.READ),
}


def _describe_values(cls: type[enum.Enum], descriptions: dict[str, str]) -> None:
    """Value descriptions for enums defined outside the schema (they stay free of strawberry)."""
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = descriptions[value.name]


_describe_values(Scope, SCOPE_DESCRIPTIONS)
_describe_values(
    KeyKind,
    {
        "CARRIER": "A key of one carrier, managed by its administrators (and keys with KEYS_WRITE).",
        "SERVICE": "A key of no carrier for the vendor's other services: staff issue it; it reaches every "
        "carrier and holds only CARRIER_READ and ENABLEMENTS_READ.",
    },
)
_describe_values(
    KeyStatus,
    {
        "ACTIVE": "Authenticates requests.",
        "EXPIRED": "Its expiry has passed; it authenticates nothing.",
        "REVOKED": "Revoked (or rotated and past its grace period); it authenticates nothing.",
    },
)
_describe_values(
    Source,
    {
        "CARRIER": "The carrier's own setting.",
        "ORGANIZATION": "The carrier inherits its organization's setting.",
        "DEFAULT": "Neither level has a setting: the feature's default.",
    },
)
_describe_values(
    EnablementState,
    {
        "ENABLED": "On, whatever the level above says.",
        "DISABLED": "Off, whatever the level above says.",
        "INHERIT": "No setting here: follow the organization, else the feature's default.",
    },
)
_describe_values(
    Outcome,
    {"SUCCEEDED": "The change was made.", "REFUSED": "A restricted function was refused."},
)
_describe_values(
    PrincipalKind,
    {
        "STAFF": "A member of the platform vendor's staff.",
        "ADMIN": "An administrator of carriers or organizations.",
        "API_KEY": "An integration calling with an API key.",
        "ANONYMOUS": "Nobody signed in.",
        "SYSTEM": "The server itself (demo data, maintenance).",
    },
)

ApiKeyScope: TypeAlias = Scope
ApiKeyStatus: TypeAlias = KeyStatus
ApiKeyKind: TypeAlias = KeyKind
EnablementSource: TypeAlias = Source
ActorKind: TypeAlias = PrincipalKind
KeyPolicyLevel: TypeAlias = PolicyLevel
ActivityOutcome: TypeAlias = Outcome
