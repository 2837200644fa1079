"""API key mutations: issue (for a carrier, or a service key for the platform), change, revoke, rotate.

Each validates, changes one transaction's worth (resolvers/<mutation>.py), and answers its payload or a
member of its error union. Who may manage which key is resolvers/api_key_policy.py's.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Annotated

import strawberry

from context import Context
from db.api_keys import ApiKeyRow
from resolvers.api_key_policy import ExpiryRequest
from resolvers.create_api_key import Issued, create_api_key
from resolvers.revoke_api_key import revoke_api_key
from resolvers.rotate_api_key import Rotated, rotate_api_key
from resolvers.update_api_key import update_api_key
from schema.api_key import ApiKey
from schema.directives import KEYS_WRITE, Restricted
from schema.enums import ApiKeyScope
from schema.mutations.results import EXPECTED_VERSION, mutation, result_union
from schema.user_errors import (
    ConflictError,
    ForbiddenError,
    LimitReachedError,
    NotFoundError,
    ValidationError,
)

SERVICE_KEYS = Restricted(reason="service keys")

EXPIRY_LIMITS = (
    "At most the policy's maximum lifetime from now (`apiKeyPolicy`); a key may not give a later expiry "
    "than its own."
)
EXPIRES_ON = (
    "A day instead of a moment (a date picker's 2027-01-15): the key stops working at the end of that "
    "day in `timeZone`. Give one of expiresAt, expiresOn, neverExpires."
)
IP_ALLOWLIST = "IPv4/IPv6 addresses and CIDR ranges it works from (at most 50); empty means any."
IDEMPOTENCY_KEY = (
    "Your id for this request: a retry with the same value returns the key made the first time (without "
    "its secret) instead of making a second one."
)


# --- inputs ----------------------------------------------------------------------------------------


@strawberry.input(description="When a key stops working: one of expiresAt, expiresOn, neverExpires.")
class KeyExpiry:
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="When it stops working, with a time zone; default: the policy's default lifetime from "
        f"now. {EXPIRY_LIMITS}",
    )
    expires_on: date | None = strawberry.field(default=None, description=EXPIRES_ON)
    time_zone: str | None = strawberry.field(
        default=None, description="The IANA time zone `expiresOn` ends in, e.g. America/Chicago; default UTC."
    )
    never_expires: bool = strawberry.field(
        default=False,
        description="A key without expiry: only staff, and only where the deployment allows it "
        "(apiKeyPolicy).",
    )

    def expiry(self) -> ExpiryRequest:
        return ExpiryRequest(self.expires_at, self.expires_on, self.time_zone, self.never_expires)


@strawberry.input(description="A new API key for one integration of a carrier.")
class CreateApiKeyInput(KeyExpiry):
    carrier_id: strawberry.ID = strawberry.field(description="The carrier the key belongs to.")
    description: str = strawberry.field(
        description="What the key is for, e.g. 'Production ERP integration' (1 to 200 characters)."
    )
    scopes: list[ApiKeyScope] = strawberry.field(description="What it may do; at most the scopes you hold.")
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description=IP_ALLOWLIST)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(
    description="A new service key: for one of the vendor's other services, reading across every carrier."
)
class CreateServiceKeyInput(KeyExpiry):
    description: str = strawberry.field(
        description="Which service uses it, e.g. 'Billing: nightly enablement sync' (1 to 200 characters)."
    )
    scopes: list[ApiKeyScope] = strawberry.field(
        description="What it may read: CARRIER_READ, ENABLEMENTS_READ (service keys only read)."
    )
    ip_allowlist: list[str] = strawberry.field(default_factory=list, description=IP_ALLOWLIST)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Changes to an active API key; omitted fields stay as they are.")
class UpdateApiKeyInput(KeyExpiry):
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
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Revoke an API key: its next request fails.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The key.")
    reason: str = strawberry.field(description="Why; kept in the activity log (1 to 500 characters).")


@strawberry.input(description="Replace an API key with a new one of the same settings.")
class RotateApiKeyInput(KeyExpiry):
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


# --- payloads and results --------------------------------------------------------------------------


@strawberry.type(description="A newly issued API key, and its secret: copy it now, it is never shown again.")
class CreateApiKeyPayload:
    api_key: ApiKey = strawberry.field(description="The key.")
    secret: str | None = strawberry.field(
        description="The secret, in this answer only. Null when the request was a retry (`replayed`)."
    )
    replayed: bool = strawberry.field(
        description="True when an earlier request with the same idempotency key already issued this key."
    )


@strawberry.type(description="The API key after the change.")
class ApiKeyPayload:
    api_key: ApiKey = strawberry.field(description="The key.")


@strawberry.type(description="The replacement key and its secret (shown once), and the key it replaces.")
class RotateApiKeyPayload:
    api_key: ApiKey = strawberry.field(description="The new key.")
    secret: str = strawberry.field(description="The new key's secret, in this answer only.")
    previous_key: ApiKey = strawberry.field(
        description="The old key; it keeps working until its `revokedAt` (the grace period)."
    )


# What refuses a key's change, beside its payload; issuing one may also meet the active key limit.
KeyErrors = NotFoundError | ValidationError | ConflictError | ForbiddenError
CreateApiKeyResult = Annotated[
    CreateApiKeyPayload | KeyErrors | LimitReachedError, result_union("CreateApiKeyResult")
]
UpdateApiKeyResult = Annotated[ApiKeyPayload | KeyErrors, result_union("UpdateApiKeyResult")]
RevokeApiKeyResult = Annotated[
    ApiKeyPayload | NotFoundError | ValidationError | ForbiddenError, result_union("RevokeApiKeyResult")
]
RotateApiKeyResult = Annotated[
    RotateApiKeyPayload | KeyErrors | LimitReachedError, result_union("RotateApiKeyResult")
]


def issued_payload(context: Context, issued: Issued) -> CreateApiKeyPayload:
    return CreateApiKeyPayload(
        api_key=ApiKey.from_row(issued.key, context.now()),
        secret=issued.secret,
        replayed=issued.secret is None,
    )


def issue(
    context: Context, input: CreateApiKeyInput | CreateServiceKeyInput, *, carrier_id: str | None
) -> Awaitable[Issued]:
    """createApiKey and createServiceKey issue alike: a service key is a key of no carrier."""
    return create_api_key(
        context,
        carrier_id=carrier_id,
        description=input.description,
        scopes=input.scopes,
        ip_allowlist=input.ip_allowlist,
        expiry=input.expiry(),
        idempotency_key=input.idempotency_key,
    )


def run_update_api_key(context: Context, input: UpdateApiKeyInput) -> Awaitable[ApiKeyRow]:
    """updateApiKey (also what approving a request for a key that never expires runs)."""
    return update_api_key(
        context,
        key_id=input.id,
        description=input.description,
        scopes=input.scopes,
        ip_allowlist=input.ip_allowlist,
        expiry=input.expiry(),
        expected_version=input.expected_version,
    )


def key_payload(context: Context, row: ApiKeyRow) -> ApiKeyPayload:
    return ApiKeyPayload(api_key=ApiKey.from_row(row, context.now()))


def rotated_payload(context: Context, rotated: Rotated) -> RotateApiKeyPayload:
    now = context.now()
    return RotateApiKeyPayload(
        api_key=ApiKey.from_row(rotated.key, now),
        secret=rotated.secret,
        previous_key=ApiKey.from_row(rotated.previous, now),
    )


# --- the mutations ---------------------------------------------------------------------------------


@strawberry.type
class ApiKeyMutations:
    create_api_key = mutation(
        "Issue an API key for a carrier. The payload carries the secret, once.",
        guard=KEYS_WRITE,
        takes=CreateApiKeyInput,
        answers=CreateApiKeyResult,
        run=lambda context, input: issue(context, input, carrier_id=input.carrier_id),
        payload=issued_payload,
    )
    create_service_key = mutation(
        "Issue a service key: for one of the vendor's other services, of no carrier, reading across every "
        "carrier (CARRIER_READ, ENABLEMENTS_READ only). The payload carries the secret, once. Update, rotate "
        "and revoke it like any key.",
        guard=SERVICE_KEYS,
        takes=CreateServiceKeyInput,
        answers=CreateApiKeyResult | None,
        run=lambda context, input: issue(context, input, carrier_id=None),
        payload=issued_payload,
    )
    update_api_key = mutation(
        "Change an active key's description, allowlist, scopes or expiry.",
        guard=KEYS_WRITE,
        takes=UpdateApiKeyInput,
        answers=UpdateApiKeyResult,
        run=run_update_api_key,
        payload=key_payload,
    )
    revoke_api_key = mutation(
        "Revoke a key: its next request fails.",
        guard=KEYS_WRITE,
        takes=RevokeApiKeyInput,
        answers=RevokeApiKeyResult,
        run=lambda context, input: revoke_api_key(context, key_id=input.id, reason=input.reason),
        payload=key_payload,
    )
    rotate_api_key = mutation(
        "Replace a key with a new one of the same settings (its secret shown once); the old key keeps "
        "working for the grace period.",
        guard=KEYS_WRITE,
        takes=RotateApiKeyInput,
        answers=RotateApiKeyResult,
        run=lambda context, input: rotate_api_key(
            context, key_id=input.id, grace_period_seconds=input.grace_period_seconds, expiry=input.expiry()
        ),
        payload=rotated_payload,
    )
