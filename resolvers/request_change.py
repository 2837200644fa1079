"""requestChange: an administrator proposes a change only staff may make, with a reason.

The proposal is tried first, as staff making it now would (its restricted mutation's own resolver, in a
savepoint that is always rolled back): a change that would be refused is refused now, with that
mutation's typed error, and one that is already so is not requested. What it names must be in the
requester's reach (another tenant's carrier is not found, as everywhere).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from context import Change, Context
from db import api_keys, carriers, change_requests, organizations
from db.activity import Event
from db.change_requests import ChangeRequestRow, NewChangeRequest
from db.pool import Connection
from resolvers import rules, validation
from resolvers.change_requests import Named, Proposal, as_staff, snapshot
from resolvers.errors import BadUserInput


class _TriedOut(Exception):
    """Ends the try-out of a proposal, so that its savepoint is rolled back; says whether it changed."""

    def __init__(self, changed: bool) -> None:
        super().__init__("tried out")
        self.changed = changed


async def request_change(context: Context, *, proposal: Proposal, reason: str) -> ChangeRequestRow:
    rules.refuse(rules.first_refusal("requestChange", context.principal))
    reason = validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)
    now = context.now()
    async with context.changing() as change:
        conn = change.conn
        named, carrier_ids, organization_id = await _in_reach(context, conn, proposal)
        await _try_out(context, change, proposal)
        request = await change_requests.insert(
            conn,
            NewChangeRequest(
                kind=proposal.kind,
                proposed=proposal.proposed,
                summary=proposal.describe(named),
                reason=reason,
                carrier_ids=carrier_ids,
                organization_id=organization_id,
                requested_by=context.principal.audit_fields(),
                requested_at=now,
                expires_at=now + timedelta(hours=context.settings.change_request_expiry_hours),
            ),
        )
        await change.record(
            Event(
                action="changeRequest.create",
                target_type="ChangeRequest",
                target_id=request.id,
                carrier_id=carrier_ids[0] if carrier_ids else None,
                organization_id=organization_id,
                after=snapshot(request),
                reason=reason,
            )
        )
    return request


async def _in_reach(
    context: Context, conn: Connection, proposal: Proposal
) -> tuple[Named, list[uuid.UUID], uuid.UUID | None]:
    """What the proposal names, each in the requester's reach (else not found): its names, the carriers
    it concerns, and the organization it concerns (the one it names first, else its carrier's)."""
    reach = context.principal.reach
    named = Named()
    carrier_ids: list[uuid.UUID] = []
    for index, global_id in enumerate(proposal.carrier_ids):
        field = f"carrierIds[{index}]" if proposal.kind == "create_organization" else "carrierId"
        carrier_id = validation.object_id(global_id, type_name="Carrier", field=field)
        found = (await carriers.by_ids(conn, reach=reach, ids=[carrier_id])).get(carrier_id)
        if found is None:
            raise validation.not_found("Carrier", global_id, field)
        named.carriers[global_id] = found.code
        named.carrier_organizations[global_id] = found.organization_id
        carrier_ids.append(carrier_id)
    organization_ids: list[uuid.UUID] = []
    for global_id in proposal.organization_ids:
        organization_id = validation.object_id(global_id, type_name="Organization", field="organizationId")
        organization = (await organizations.by_ids(conn, reach=reach, ids=[organization_id])).get(
            organization_id
        )
        if organization is None:
            raise validation.not_found("Organization", global_id, "organizationId")
        named.organizations[global_id] = organization.name
        organization_ids.append(organization_id)
    if proposal.api_key_id is not None:
        key_id = validation.object_id(proposal.api_key_id, type_name="ApiKey", field="apiKeyId")
        key = (await api_keys.by_ids(conn, reach=reach, ids=[key_id])).get(key_id)
        if key is None or key.carrier_id is None:
            raise validation.not_found("ApiKey", proposal.api_key_id, "apiKeyId")
        named.keys[proposal.api_key_id] = f"{key.description} ({key.hint})"
        carrier_ids.append(key.carrier_id)
    concerned = organization_ids[0] if organization_ids else None
    if concerned is None and carrier_ids:
        concerned = await carriers.organization_of(conn, carrier_id=carrier_ids[0])
    return named, carrier_ids, concerned


async def _try_out(context: Context, change: Change, proposal: Proposal) -> None:
    """Make the proposed change as staff would now, and undo it: its refusal is the request's."""
    recorded = change.recorded
    try:
        async with change.conn.transaction():
            with as_staff(context):
                await proposal.apply(context)
            raise _TriedOut(change.recorded > recorded)
    except _TriedOut as tried:
        change.recorded = recorded
        if not tried.changed:
            raise BadUserInput("That is already so: there is nothing to request.", field="proposal") from None
