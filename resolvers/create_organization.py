"""createOrganization ("Create new Organization"): optionally started from a carrier, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from asyncpg import UniqueViolationError

from context import Context
from db import activity, carriers, organizations
from db.activity import Event
from db.carriers import CarrierRow
from db.organizations import OrganizationRow
from resolvers import snapshots, validation
from resolvers.changes import EffectiveChange, origin
from resolvers.failures import AlreadyInOrganizationFailure, ConflictFailure
from resolvers.membership import move_locked


@dataclass(frozen=True, slots=True)
class Created:
    organization: OrganizationRow
    carrier: CarrierRow | None = None
    changes: list[EffectiveChange] = field(default_factory=list)


async def create_organization(context: Context, *, name: str, from_carrier_id: str | None) -> Created:
    name = validation.text(name, field="name", label="An organization's name")
    carrier_id = (
        validation.object_id(from_carrier_id, type_name="Carrier", field="fromCarrierId")
        if from_carrier_id is not None
        else None
    )
    async with context.changing() as conn:
        try:
            organization = await organizations.insert(conn, name=name)
        except UniqueViolationError:
            raise ConflictFailure(f"An organization named {name!r} already exists.", field="name") from None
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action="organization.create",
                target_type="Organization",
                target_id=organization.id,
                organization_id=organization.id,
                after=snapshots.organization(organization),
            ),
        )
        if carrier_id is None:
            return Created(organization)
        carrier = await carriers.lock(conn, carrier_id=carrier_id)
        if carrier is None:
            raise validation.not_found("Carrier", str(from_carrier_id), "fromCarrierId")
        if carrier.organization_id is not None:
            current = await organizations.get(conn, organization_id=carrier.organization_id)
            assert current is not None
            raise AlreadyInOrganizationFailure(
                f"Carrier {carrier.code} already belongs to {current.name}; detach it first.",
                organization=current,
                field="fromCarrierId",
            )
        attached, changes = await move_locked(conn, context, carrier, organization.id, "carrier.attach")
    return Created(organization, attached, changes)
