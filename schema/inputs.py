"""Mutation inputs: only what the caller may set. Tenant and authorship come from the caller."""

from __future__ import annotations

import strawberry

from schema.enums import EnablementState

EXPECTED_VERSION = "The version you last saw; the change is refused with a ConflictError if it moved on."


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


@strawberry.input(description="A new organization, optionally started from a carrier.")
class CreateOrganizationInput:
    name: str = strawberry.field(description="Display name, unique regardless of case.")
    from_carrier_id: strawberry.ID | None = strawberry.field(
        default=None, description="A carrier in no organization yet, attached to the new one."
    )


@strawberry.input(description="Put a carrier that is in no organization into one.")
class AttachCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    organization_id: strawberry.ID = strawberry.field(description="The organization to join.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Move a carrier from the organization it is in to another.")
class MoveCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    from_organization_id: strawberry.ID = strawberry.field(
        description="The organization the carrier is in now; the move is refused if that is no longer true."
    )
    to_organization_id: strawberry.ID = strawberry.field(description="The organization to move it to.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Take a carrier out of its organization.")
class DetachCarrierInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


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
