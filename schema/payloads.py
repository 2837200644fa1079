"""Successful mutation results: the changed object, and what the change did."""

from __future__ import annotations

import strawberry

from schema.api_key import ApiKey
from schema.carrier import Carrier
from schema.effective_change import EffectiveChange
from schema.enablement import Enablement
from schema.feature import Feature
from schema.organization import Organization


@strawberry.type(description="The carrier as it is after the change.")
class CarrierPayload:
    carrier: Carrier = strawberry.field(description="The carrier.")


@strawberry.type(description="The organization as it is after the change.")
class OrganizationPayload:
    organization: Organization = strawberry.field(description="The organization.")
    carrier: Carrier | None = strawberry.field(
        description="The first carrier it was created with, if any.", deprecation_reason="Use carriers."
    )
    carriers: list[Carrier] = strawberry.field(description="The carriers it was created with.")
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Features whose effective value changed, for which carriers."
    )


@strawberry.type(description="A carrier's organization after an attach, move or detach.")
class CarrierMembershipPayload:
    carrier: Carrier = strawberry.field(description="The carrier.")
    organization: Organization | None = strawberry.field(description="Its organization now, if any.")
    previous_organization_id: strawberry.ID | None = strawberry.field(
        description="The organization it was in before, if any."
    )
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Features whose effective value changed for the carrier."
    )


@strawberry.type(description="The organization that was deleted.")
class DeleteOrganizationPayload:
    deleted_organization_id: strawberry.ID = strawberry.field(description="Its id, no longer valid.")
    name: str = strawberry.field(description="Its name.")


@strawberry.type(description="A feature's setting at one level after the change.")
class EnablementPayload:
    enablement: Enablement | None = strawberry.field(description="The setting and effective value now.")
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Features whose effective value changed, for which carriers (an organization's "
        "setting reaches every carrier that inherits it; overrides are never touched)."
    )


@strawberry.type(description="The catalogue feature after the change.")
class FeaturePayload:
    feature: Feature = strawberry.field(description="The feature.")
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Carriers whose effective value changed because the default did."
    )


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
