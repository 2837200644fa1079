"""Successful mutation results: the changed object, and what the change did."""

from __future__ import annotations

import strawberry

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
    carrier: Carrier | None = strawberry.field(description="The carrier it was created from, if any.")
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
