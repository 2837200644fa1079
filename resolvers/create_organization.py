"""createOrganization ("Create new Organization — set up a new organization that can contain multiple
carriers"): the organization and any number of carriers in it, in one transaction. A carrier that is
not found, or already in another organization, is named by its input field, and nothing is written."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from context import Context
from db import carriers, organizations
from db.carriers import CarrierRow
from db.organizations import OrganizationRow
from resolvers import events, validation
from resolvers.changes import EffectiveChange
from resolvers.errors import AlreadyInOrganization, BadUserInput, organization_name_taken
from resolvers.membership import Move, move_locked


@dataclass(frozen=True, slots=True)
class Created:
    organization: OrganizationRow
    carriers: list[CarrierRow] = field(default_factory=list)
    changes: list[EffectiveChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Member:
    """A carrier the new organization is to contain, as the input named it."""

    id: uuid.UUID
    global_id: str
    field: str  # carrierIds[2]


async def create_organization(context: Context, *, name: str, carrier_ids: Sequence[str]) -> Created:
    name = validation.text(name, field="name", label="An organization's name")
    members = _members(context, carrier_ids)
    async with context.changing() as change:
        conn = change.conn
        organization = await validation.unless_taken(
            organizations.insert(conn, name=name), organization_name_taken(name)
        )
        await change.record(events.organization("organization.create", after=organization))
        # Locked in id order (two creations naming the same carriers cannot deadlock), judged in the
        # input's order (the first carrier at fault is the one named).
        locked: dict[uuid.UUID, CarrierRow | None] = {}
        for member in sorted(members, key=lambda m: m.id):
            locked[member.id] = await carriers.lock(conn, carrier_id=member.id)
        attached: list[CarrierRow] = []
        changes: list[EffectiveChange] = []
        for member in members:
            carrier = locked[member.id]
            if carrier is None:
                raise validation.not_found("Carrier", member.global_id, member.field)
            if carrier.organization_id is not None:
                current = await organizations.get(conn, organization_id=carrier.organization_id)
                assert current is not None  # the foreign key guarantees it
                raise AlreadyInOrganization(
                    f"Carrier {carrier.code} already belongs to {current.name}; detach it first.",
                    organization=current,
                    field=member.field,
                )
            joined, changed = await move_locked(
                change, carrier, Move("carrier.attach", leaving=None, joining=organization)
            )
            attached.append(joined)
            changes += changed
    return Created(organization, attached, changes)


def _members(context: Context, carrier_ids: Sequence[str]) -> list[Member]:
    limit = context.settings.max_ids_per_request
    if len(carrier_ids) > limit:
        raise BadUserInput(
            f"At most {limit} carriers at once (MAX_IDS_PER_REQUEST); add the others afterwards.",
            field="carrierIds",
        )
    named = [(global_id, f"carrierIds[{index}]") for index, global_id in enumerate(carrier_ids)]
    members: dict[uuid.UUID, Member] = {}
    for global_id, field_name in named:
        carrier_id = validation.object_id(global_id, type_name="Carrier", field=field_name)
        members.setdefault(carrier_id, Member(carrier_id, global_id, field_name))
    return list(members.values())
