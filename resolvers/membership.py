"""attach, move and detach: which organization a carrier belongs to.

One transaction: lock the carrier (so concurrent changes to it queue up), check what the caller
expects its current organization to be, keep the target organization from being deleted, change,
and record what that did to the carrier's effective features.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from context import Change, Context
from db import carriers, enablements, organizations
from db.activity import Event
from db.carriers import CarrierRow
from db.organizations import OrganizationRow
from db.pool import Connection
from resolvers import snapshots, validation
from resolvers.changes import EffectiveChange, diff, summary
from resolvers.errors import AlreadyInOrganization, BadUserInput, Conflict


@dataclass(frozen=True, slots=True)
class Membership:
    carrier: CarrierRow
    organization: OrganizationRow | None
    previous_organization_id: uuid.UUID | None
    changes: list[EffectiveChange] = field(default_factory=list)


# What a caller says of the carrier's organization now, checked on the locked carrier (given the
# organization it is to end in): raises when it does not hold. Detaching expects nothing.
Expectation = Callable[[Connection, CarrierRow, uuid.UUID | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Move:
    """A locked carrier's change of organization, as the activity log records it."""

    action: str
    leaving: OrganizationRow | None
    joining: OrganizationRow | None
    # Why, as the caller gave it (optional).
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """The organization a carrier is to end in, as the input gave it, and the field that gave it."""

    given: str
    field: str


async def attach(
    context: Context,
    *,
    carrier_id: str,
    organization_id: str,
    expected_version: int | None,
    reason: str | None = None,
) -> Membership:
    """attachCarrierToOrganization ("Add to existing Organization"): only for a carrier in none."""

    async def in_none(conn: Connection, carrier: CarrierRow, target_id: uuid.UUID | None) -> None:
        if carrier.organization_id is not None and carrier.organization_id != target_id:
            current = await organizations.get(conn, organization_id=carrier.organization_id)
            assert current is not None  # the foreign key guarantees it
            raise AlreadyInOrganization(
                f"Carrier {carrier.code} already belongs to {current.name}. Move it explicitly "
                "(moveCarrierToOrganization) or detach it first.",
                organization=current,
            )

    target = Target(organization_id, "organizationId")
    return await _change(
        context,
        carrier_id,
        target,
        expected_version=expected_version,
        expectation=in_none,
        action="carrier.attach",
        reason=reason,
    )


async def move(
    context: Context,
    *,
    carrier_id: str,
    from_organization_id: str,
    to_organization_id: str,
    expected_version: int | None,
    reason: str | None = None,
) -> Membership:
    """moveCarrierToOrganization: from one organization to another, saying which one it leaves."""
    if from_organization_id == to_organization_id:
        raise BadUserInput("The carrier is already in that organization.", field="toOrganizationId")

    async def in_the_one_it_leaves(_conn: Connection, carrier: CarrierRow, _target: uuid.UUID | None) -> None:
        leaving = validation.object_id(
            from_organization_id, type_name="Organization", field="fromOrganizationId"
        )
        if carrier.organization_id != leaving:
            raise Conflict(
                f"Carrier {carrier.code} is not in the organization you are moving it from; "
                "reload and try again.",
                field="fromOrganizationId",
                current_version=carrier.version,
            )

    target = Target(to_organization_id, "toOrganizationId")
    return await _change(
        context,
        carrier_id,
        target,
        expected_version=expected_version,
        expectation=in_the_one_it_leaves,
        action="carrier.move",
        reason=reason,
    )


async def detach(
    context: Context, *, carrier_id: str, expected_version: int | None, reason: str | None = None
) -> Membership:
    """detachCarrierFromOrganization: the carrier leaves whichever organization it is in (a no-op if it
    has none), so there is nothing the caller expects of it to check."""
    return await _change(
        context, carrier_id, None, expected_version=expected_version, action="carrier.detach", reason=reason
    )


async def _change(
    context: Context,
    carrier_global_id: str,
    target: Target | None,
    *,
    expected_version: int | None,
    action: str,
    reason: str | None,
    expectation: Expectation | None = None,
) -> Membership:
    """Put the carrier in the target organization, or in none: lock it, check what the caller expects,
    keep the target from being deleted meanwhile, change, record."""
    named = validation.named(
        carrier_global_id, type_name="Carrier", version=expected_version, field="carrierId"
    )
    target_id = (
        validation.object_id(target.given, type_name="Organization", field=target.field)
        if target is not None
        else None
    )
    why = _reason(reason)
    async with context.changing() as change:
        conn = change.conn
        carrier = await named.found(carriers.lock(conn, carrier_id=named.id))
        if expectation is not None:
            await expectation(conn, carrier, target_id)
        organization = None
        if target is not None and target_id is not None:
            organization = await organizations.lock_shared(conn, organization_id=target_id)
            if organization is None:
                raise validation.not_found("Organization", target.given, target.field)
        if carrier.organization_id == target_id:
            change.unchanged()  # already so: nothing to do
            return Membership(carrier, organization, carrier.organization_id)
        leaving = (
            await organizations.get(conn, organization_id=carrier.organization_id)
            if carrier.organization_id is not None
            else None
        )
        move = Move(action, leaving=leaving, joining=organization, reason=why)
        changed, changes = await move_locked(change, carrier, move)
    return Membership(changed, organization, carrier.organization_id, changes)


def _reason(value: str | None) -> str | None:
    """An optional reason: none, or text of at most 500 characters (blank is none)."""
    if value is None:
        return None
    cleaned = validation.text(
        value, field="reason", label="A reason", max_length=500, required=False, multiline=True
    )
    return cleaned or None


def _name(organization: OrganizationRow | None) -> str | None:
    return organization.name if organization else None


async def move_locked(
    change: Change, carrier: CarrierRow, move: Move
) -> tuple[CarrierRow, list[EffectiveChange]]:
    """Put a locked carrier in `move.joining` (None: in none), as part of `change`, and record it with
    what it did to the carrier's effective features, naming both organizations as they were called
    then (the log outlives renames and deletions)."""
    conn = change.conn
    target_id = move.joining.id if move.joining else None
    before = await enablements.effective(conn, carrier_ids=[carrier.id])
    changed = await carriers.set_organization(
        conn,
        carrier_id=carrier.id,
        organization_id=target_id,
        current_organization_id=carrier.organization_id,
    )
    assert changed is not None  # the carrier is locked
    changes = diff(before, await enablements.effective(conn, carrier_ids=[carrier.id]))
    await change.record(
        Event(
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
