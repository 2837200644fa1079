"""Organization structure (a restricted function): carriers, organizations, and which organization each
carrier belongs to ("Create new Organization", "Add to existing Organization", move, detach)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from context import Context
from db.carriers import CarrierRow
from db.organizations import OrganizationRow
from resolvers import membership
from resolvers.create_carrier import create_carrier
from resolvers.create_organization import Created, create_organization
from resolvers.delete_organization import delete_organization
from resolvers.global_ids import to_global_id
from resolvers.membership import Membership
from resolvers.rename_organization import rename_organization
from resolvers.update_carrier import update_carrier
from schema.carrier import Carrier
from schema.directives import Restricted
from schema.effective_change import EffectiveChange, effective_changes
from schema.mutations.results import EXPECTED_VERSION, forward, mutation, result_union
from schema.organization import Organization
from schema.user_errors import (
    AlreadyInOrganizationError,
    ConflictError,
    NotFoundError,
    OrganizationNotEmptyError,
    ValidationError,
)

STRUCTURE = Restricted(reason="organization structure")


# --- inputs ----------------------------------------------------------------------------------------


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
        "(at most `limits.maxIdsPerRequest`). A carrier not found, or in another organization, is named "
        "by its field (carrierIds[2]) and nothing is written.",
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


# --- payloads and results --------------------------------------------------------------------------


@strawberry.type(description="The carrier as it is after the change.")
class CarrierPayload:
    carrier: Carrier = strawberry.field(description="The carrier.")


@strawberry.type(description="The organization as it is after the change.")
class OrganizationPayload:
    organization: Organization = strawberry.field(description="The organization.")
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


CreateCarrierResult = Annotated[
    CarrierPayload | ValidationError | ConflictError, result_union("CreateCarrierResult")
]
UpdateCarrierResult = Annotated[
    CarrierPayload | NotFoundError | ValidationError | ConflictError, result_union("UpdateCarrierResult")
]
CreateOrganizationResult = Annotated[
    OrganizationPayload | ValidationError | ConflictError | NotFoundError | AlreadyInOrganizationError,
    result_union("CreateOrganizationResult"),
]
MembershipResult = Annotated[
    CarrierMembershipPayload | NotFoundError | ValidationError | ConflictError | AlreadyInOrganizationError,
    result_union("CarrierMembershipResult"),
]
RenameOrganizationResult = Annotated[
    OrganizationPayload | NotFoundError | ValidationError | ConflictError,
    result_union("RenameOrganizationResult"),
]
DeleteOrganizationResult = Annotated[
    DeleteOrganizationPayload | NotFoundError | ValidationError | ConflictError | OrganizationNotEmptyError,
    result_union("DeleteOrganizationResult"),
]


def carrier_payload(_context: Context, row: CarrierRow) -> CarrierPayload:
    return CarrierPayload(carrier=Carrier.from_row(row))


def created_payload(_context: Context, created: Created) -> OrganizationPayload:
    return OrganizationPayload(
        organization=Organization.from_row(created.organization),
        carriers=[Carrier.from_row(row) for row in created.carriers],
        effective_changes=effective_changes(created.changes),
    )


def renamed_payload(_context: Context, row: OrganizationRow) -> OrganizationPayload:
    return OrganizationPayload(organization=Organization.from_row(row), carriers=[], effective_changes=[])


def deleted_payload(_context: Context, row: OrganizationRow) -> DeleteOrganizationPayload:
    return DeleteOrganizationPayload(
        deleted_organization_id=to_global_id("Organization", row.id), name=row.name
    )


def membership_payload(_context: Context, result: Membership) -> CarrierMembershipPayload:
    previous = result.previous_organization_id
    return CarrierMembershipPayload(
        carrier=Carrier.from_row(result.carrier),
        organization=Organization.from_row(result.organization) if result.organization else None,
        previous_organization_id=to_global_id("Organization", previous) if previous else None,
        effective_changes=effective_changes(result.changes),
    )


# --- what the mutations run (also what approving a request for one runs: schema/change_request.py) ------


run_create_organization = forward(create_organization)
run_attach = forward(membership.attach)
run_move = forward(membership.move)
run_detach = forward(membership.detach)


# --- the mutations ---------------------------------------------------------------------------------


@strawberry.type
class OrganizationMutations:
    create_carrier = mutation(
        "Create a carrier (in no organization).",
        guard=STRUCTURE,
        takes=CreateCarrierInput,
        answers=CreateCarrierResult | None,
        run=forward(create_carrier),
        payload=carrier_payload,
    )
    update_carrier = mutation(
        "Rename a carrier.",
        guard=STRUCTURE,
        takes=UpdateCarrierInput,
        answers=UpdateCarrierResult | None,
        run=forward(update_carrier, id="carrier_id"),
        payload=carrier_payload,
    )
    create_organization = mutation(
        "Create an organization ('Create new Organization'): a name and the carriers it contains, all in "
        "one transaction.",
        guard=STRUCTURE,
        takes=CreateOrganizationInput,
        answers=CreateOrganizationResult | None,
        run=run_create_organization,
        payload=created_payload,
    )
    attach_carrier_to_organization = mutation(
        "Add a carrier that is in no organization to one ('Add to existing Organization'). A carrier in "
        "another organization is refused with AlreadyInOrganizationError: move it instead.",
        guard=STRUCTURE,
        takes=AttachCarrierInput,
        answers=MembershipResult | None,
        run=run_attach,
        payload=membership_payload,
    )
    move_carrier_to_organization = mutation(
        "Move a carrier from its organization to another, naming both.",
        guard=STRUCTURE,
        takes=MoveCarrierInput,
        answers=MembershipResult | None,
        run=run_move,
        payload=membership_payload,
    )
    detach_carrier_from_organization = mutation(
        "Take a carrier out of its organization.",
        guard=STRUCTURE,
        takes=DetachCarrierInput,
        answers=MembershipResult | None,
        run=run_detach,
        payload=membership_payload,
    )
    rename_organization = mutation(
        "Rename an organization.",
        guard=STRUCTURE,
        takes=RenameOrganizationInput,
        answers=RenameOrganizationResult | None,
        run=forward(rename_organization, id="organization_id"),
        payload=renamed_payload,
    )
    delete_organization = mutation(
        "Delete an organization that has no carriers left.",
        guard=STRUCTURE,
        takes=DeleteOrganizationInput,
        answers=DeleteOrganizationResult | None,
        run=forward(delete_organization, id="organization_id"),
        payload=deleted_payload,
    )
