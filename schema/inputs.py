"""Mutation inputs: only what the caller may set. Tenant and authorship come from the caller."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry

from db.enablements import EnablementState
from schema.enums import ApiKeyKind, ApiKeyScope, ApiKeyStatus

EXPECTED_VERSION = "The version you last saw; the change is refused with a ConflictError if it moved on."
EXPIRY_LIMITS = (
    "At most the policy's maximum lifetime from now (`apiKeyPolicy`); a key may not give a later expiry "
    "than its own."
)
EXPIRES_AT = (
    "When it stops working, with a time zone; default: the policy's default lifetime from now. "
    + EXPIRY_LIMITS
)
EXPIRES_ON = (
    "A day instead of a moment (a date picker's 2027-01-15): the key stops working at the end of that "
    "day in `timeZone`. Give one of expiresAt, expiresOn, neverExpires."
)
TIME_ZONE = "The IANA time zone `expiresOn` ends in, e.g. America/Chicago; default UTC."
NEVER_EXPIRES = "A key without expiry: only staff, and only where the deployment allows it (apiKeyPolicy)."
IP_ALLOWLIST = "IPv4/IPv6 addresses and CIDR ranges it works from (at most 50); empty means any."
IDEMPOTENCY_KEY = (
    "Your id for this request: a retry with the same value returns the key made the first time (without "
    "its secret) instead of making a second one."
)


@strawberry.input(description="A new carrier.")
class CreateCarrierInput:
    code: str = strawberry.field(
        description="2 to 10 letters and digits, starting with a letter; stored upper-case."
    )
    name: str = strawberry.field(description="Display name, 1 to 200 characters.")


@strawberry.input(description="A carrier's new name.")
class UpdateCarrierInput:
    id: strawberry.ID = strawberry.field(description="The carrier.")
    name: str = strawberry.field(description="Display name, 1 to 200 characters.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A new organization and the carriers it contains.")
class CreateOrganizationInput:
    name: str = strawberry.field(description="Display name, unique regardless of case.")
    carrier_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Carriers in no organization yet, attached to the new one in the same transaction "
        "(at most MAX_PAGE_SIZE). A carrier not found, or in another organization, is named by its "
        "field (carrierIds[2]) and nothing is written.",
    )
    from_carrier_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="One carrier in no organization yet, attached to the new one.",
        deprecation_reason="Use carrierIds.",
    )


@strawberry.input(description="Put a carrier that is in no organization into one.")
class AttachCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    organization_id: strawberry.ID = strawberry.field(description="The organization to join.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    reason: str | None = strawberry.field(
        default=None, description="Why (optional, at most 500 characters); kept in the activity log."
    )


@strawberry.input(description="Move a carrier from the organization it is in to another.")
class MoveCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    from_organization_id: strawberry.ID = strawberry.field(
        description="The organization the carrier is in now; the move is refused if that is no longer true."
    )
    to_organization_id: strawberry.ID = strawberry.field(description="The organization to move it to.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    reason: str | None = strawberry.field(
        default=None, description="Why (optional, at most 500 characters); kept in the activity log."
    )


@strawberry.input(description="Take a carrier out of its organization.")
class DetachCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    reason: str | None = strawberry.field(
        default=None, description="Why (optional, at most 500 characters); kept in the activity log."
    )


@strawberry.input(description="An organization's new name.")
class RenameOrganizationInput:
    id: strawberry.ID = strawberry.field(description="The organization.")
    name: str = strawberry.field(description="Display name, unique regardless of case.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="An organization to delete; it must have no carriers left.")
class DeleteOrganizationInput:
    id: strawberry.ID = strawberry.field(description="The organization.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Switch a feature for one carrier.")
class SetCarrierEnablementInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    feature_key: str = strawberry.field(description="The feature's key, e.g. inventory.waybills.")
    state: EnablementState = strawberry.field(
        description="ENABLED, DISABLED, or INHERIT to remove the override."
    )
    reason: str = strawberry.field(description="Why; kept in the activity log (1 to 500 characters).")


@strawberry.input(
    description="Switch a feature for an organization: its carriers inherit it unless they override it."
)
class SetOrganizationEnablementInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization.")
    feature_key: str = strawberry.field(description="The feature's key, e.g. inventory.waybills.")
    state: EnablementState = strawberry.field(
        description="ENABLED, DISABLED, or INHERIT to remove the setting."
    )
    reason: str = strawberry.field(description="Why; kept in the activity log (1 to 500 characters).")


@strawberry.input(description="A new catalogue feature.")
class CreateFeatureInput:
    key: str = strawberry.field(description="Stable dotted key, e.g. billing.demurrage.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(default="", description="What the feature does.")
    default_enabled: bool = strawberry.field(default=False, description="Value for carriers that inherit.")


@strawberry.input(description="Changes to a catalogue feature; omitted fields stay as they are.")
class UpdateFeatureInput:
    id: strawberry.ID = strawberry.field(description="The feature.")
    name: str | None = strawberry.field(default=None, description="Display name.")
    description: str | None = strawberry.field(default=None, description="What the feature does.")
    default_enabled: bool | None = strawberry.field(
        default=None, description="Value for carriers that inherit."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A new API key for one integration of a carrier.")
class CreateApiKeyInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier the key belongs to.")
    description: str = strawberry.field(
        description="What the key is for, e.g. 'Production ERP integration' (1 to 200 characters)."
    )
    scopes: list[ApiKeyScope] = strawberry.field(description="What it may do; at most the scopes you hold.")
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description=IP_ALLOWLIST)
    expires_at: datetime | None = strawberry.field(default=None, description=EXPIRES_AT)
    expires_on: date | None = strawberry.field(default=None, description=EXPIRES_ON)
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE)
    never_expires: bool = strawberry.field(default=False, description=NEVER_EXPIRES)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(
    description="A new service key: for one of the vendor's other services, reading across every carrier."
)
class CreateServiceKeyInput:
    description: str = strawberry.field(
        description="Which service uses it, e.g. 'Billing: nightly enablement sync' (1 to 200 characters)."
    )
    scopes: list[ApiKeyScope] = strawberry.field(
        description="What it may read: CARRIER_READ, ENABLEMENTS_READ (service keys only read)."
    )
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description=IP_ALLOWLIST)
    expires_at: datetime | None = strawberry.field(default=None, description=EXPIRES_AT)
    expires_on: date | None = strawberry.field(default=None, description=EXPIRES_ON)
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE)
    never_expires: bool = strawberry.field(default=False, description=NEVER_EXPIRES)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to an active API key; omitted fields stay as they are.")
class UpdateApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key.")
    description: str | None = strawberry.field(default=None, description="What the key is for.")
    scopes: list[ApiKeyScope] | None = strawberry.field(
        default=None, description="What it may do; at most the scopes you hold."
    )
    ip_allowlist: list[str] | None = strawberry.field(
        default=None, description="Addresses and CIDR ranges it works from; an empty list means any."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description=f"A new expiry, with a time zone (omitted: unchanged). {EXPIRY_LIMITS}"
    )
    expires_on: date | None = strawberry.field(default=None, description=f"A new expiry day. {EXPIRES_ON}")
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE)
    never_expires: bool = strawberry.field(default=False, description=NEVER_EXPIRES)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Revoke an API key: its next request fails.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key.")
    reason: str = strawberry.field(description="Why; kept in the activity log (1 to 500 characters).")


@strawberry.input(description="Replace an API key with a new one of the same settings.")
class RotateApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key to replace.")
    grace_period_seconds: int = strawberry.field(
        default=0,
        description="How long the old key keeps working: 0 (none, the default) up to 604800 (seven days).",
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When the new key stops working, with a time zone; default: the policy's default "
        f"lifetime from now (not the old key's). {EXPIRY_LIMITS}",
    )
    expires_on: date | None = strawberry.field(
        default=None, description=f"The new key's last day. {EXPIRES_ON}"
    )
    time_zone: str | None = strawberry.field(default=None, description=TIME_ZONE)
    never_expires: bool = strawberry.field(default=False, description=NEVER_EXPIRES)


@strawberry.enum(description="What a list of API keys is sorted by.")
class ApiKeyOrderField(enum.Enum):
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="When the key was issued.")
    EXPIRES_AT = strawberry.enum_value(
        "EXPIRES_AT", description="When it expires (keys that never expire come last)."
    )
    LAST_USED_AT = strawberry.enum_value(
        "LAST_USED_AT", description="When it was last used (keys never used come first)."
    )


@strawberry.enum(description="Ascending (oldest, soonest first) or descending.")
class OrderDirection(enum.Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending.")
    DESC = strawberry.enum_value("DESC", description="Descending.")


@strawberry.input(description="How to sort a list of API keys.")
class ApiKeyOrder:
    field: ApiKeyOrderField = strawberry.field(default=ApiKeyOrderField.CREATED_AT, description="By what.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Which way.")


@strawberry.input(description="Which API keys a list holds; every condition is optional, all must hold.")
class ApiKeyFilter:
    status: ApiKeyStatus | None = strawberry.field(default=None, description="Only keys with this status.")
    search: str | None = strawberry.field(
        default=None, description="Text the description or the hint contains (case-insensitive)."
    )
    expiring_within_days: int | None = strawberry.field(
        default=None, description="Only active keys that expire within this many days (0 to 3650)."
    )
    scope: ApiKeyScope | None = strawberry.field(default=None, description="Only keys holding this scope.")
    unused_since: datetime | None = strawberry.field(
        default=None, description="Only keys never used, or last used before this moment."
    )
    kind: ApiKeyKind | None = strawberry.field(
        default=None, description="Only carriers' keys, or only service keys (which staff alone see)."
    )
