"""The core of attach, move and detach: which organization a carrier belongs to.

One transaction: lock the carrier (so concurrent changes to it queue up), check what the caller
expects its current organization to be, keep the target organization from being deleted, change,
and record what that did to the carrier's effective features.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from context import Context
from db import activity, carriers, enablements, organizations
from db.activity import Event
from db.carriers import CarrierRow
from db.organizations import OrganizationRow
from db.pool import Connection
from resolvers import snapshots, validation
from resolvers.changes import EffectiveChange, diff, origin, summary
from resolvers.failures import AlreadyInOrganizationFailure, ConflictFailure, stale


@dataclass(frozen=True, slots=True)
class Membership:
    carrier: CarrierRow
    organization: OrganizationRow | None
    previous_organization_id: uuid.UUID | None
    changes: list[EffectiveChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    carrier_id: str
    # The organization the carrier should end in (None: in none).
    target_organization_id: str | None
    expected_version: int | None
    # For a move: the organization the caller says the carrier is in now.
    from_organization_id: str | None = None
    # The input field that names the target organization, for errors about it.
    target_field: str = "organizationId"
    # Why, as the caller gave it (optional); kept in the activity log.
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """A locked carrier's change of organization, as the activity log records it."""

    action: str
    leaving: OrganizationRow | None
    joining: OrganizationRow | None
    reason: str | None = None


async def change(context: Context, request: Request) -> Membership:
    carrier_id = validation.object_id(request.carrier_id, type_name="Carrier", field="carrierId")
    target_id = (
        validation.object_id(
            request.target_organization_id, type_name="Organization", field=request.target_field
        )
        if request.target_organization_id is not None
        else None
    )
    version = validation.expected_version(request.expected_version)
    reason = _reason(request.reason)
    async with context.changing() as conn:
        carrier = await carriers.lock(conn, carrier_id=carrier_id)
        if carrier is None:
            raise validation.not_found("Carrier", request.carrier_id, "carrierId")
        if version is not None and carrier.version != version:
            raise stale("carrier", carrier.version)
        await _check_current(conn, carrier, request, target_id)
        target = None
        if target_id is not None:
            target = await organizations.lock_shared(conn, organization_id=target_id)
            if target is None:
                raise validation.not_found(
                    "Organization", str(request.target_organization_id), request.target_field
                )
        if carrier.organization_id == target_id:
            return Membership(carrier, target, carrier.organization_id)  # already so: nothing to do
        leaving = (
            await organizations.get(conn, organization_id=carrier.organization_id)
            if carrier.organization_id is not None
            else None
        )
        move = Move(request.action, leaving=leaving, joining=target, reason=reason)
        changed, changes = await move_locked(conn, context, carrier, move)
    return Membership(changed, target, carrier.organization_id, changes)


def _reason(value: str | None) -> str | None:
    """An optional reason: none, or text of at most 500 characters (blank is none)."""
    if value is None:
        return None
    cleaned = validation.text(
        value, field="reason", label="A reason", max_length=500, required=False, multiline=True
    )
    return cleaned or None


async def move_locked(
    conn: Connection, context: Context, carrier: CarrierRow, move: Move
) -> tuple[CarrierRow, list[EffectiveChange]]:
    """Put a locked carrier in `move.joining` (None: in none), inside the caller's transaction, and
    record it with what it did to the carrier's effective features, naming both organizations as
    they were called then (the log outlives renames and deletions)."""
    target_id = move.joining.id if move.joining else None
    before = await enablements.effective(conn, carrier_ids=[carrier.id])
    changed = await carriers.set_organization(
        conn,
        carrier_id=carrier.id,
        organization_id=target_id,
        current_organization_id=carrier.organization_id,
        expected_version=None,
    )
    assert changed is not None  # the carrier is locked
    changes = diff(before, await enablements.effective(conn, carrier_ids=[carrier.id]))
    await activity.record(
        conn,
        origin=origin(context),
        event=Event(
            action=move.action,
            target_type="Carrier",
            target_id=carrier.id,
            carrier_id=carrier.id,
            # The organization it leaves (its administrators keep its history); the one it joins
            # sees the carrier, and so the event, from now on.
            organization_id=carrier.organization_id or target_id,
            before={**snapshots.carrier(carrier), "organizationName": _name(move.leaving)},
            after={
                **snapshots.carrier(changed),
                "organizationName": _name(move.joining),
                "effectiveChanges": summary(changes),
            },
            reason=move.reason,
        ),
    )
    return changed, changes


def _name(organization: OrganizationRow | None) -> str | None:
    return organization.name if organization else None


async def _check_current(
    conn: Connection, carrier: CarrierRow, request: Request, target_id: uuid.UUID | None
) -> None:
    if request.action == "carrier.move":
        from_id = validation.object_id(
            str(request.from_organization_id), type_name="Organization", field="fromOrganizationId"
        )
        if carrier.organization_id != from_id:
            raise ConflictFailure(
                f"Carrier {carrier.code} is not in the organization you are moving it from; "
                "reload and try again.",
                field="fromOrganizationId",
                current_version=carrier.version,
            )
    elif request.action == "carrier.attach" and carrier.organization_id is not None:
        current = await organizations.get(conn, organization_id=carrier.organization_id)
        assert current is not None  # the foreign key guarantees it
        if carrier.organization_id != target_id:
            raise AlreadyInOrganizationFailure(
                f"Carrier {carrier.code} already belongs to {current.name}. Move it explicitly "
                "(moveCarrierToOrganization) or detach it first.",
                organization=current,
            )
