"""approveChangeRequest and declineChangeRequest: staff answer a request to Support.

Approving makes exactly the proposed change, through the restricted mutation's own resolver, as the
approver (the rules judge it as if staff made it now), in the same transaction as the request's new
state; the change's activity row names the requester beside the approver (`requestedBy`). A change
that no longer applies is refused with the mutation's own error as its `cause`: nothing changes, the
request stays open with the refusal noted, and the refused approval is in the activity log. Nobody
answers their own request; an expired or answered one is not answered again.
"""

from __future__ import annotations

import uuid

from context import Change, Context
from db import change_requests
from db.activity import Event
from db.change_requests import ChangeRequestRow
from resolvers import rules, validation
from resolvers.change_requests import ProposalOf, not_their_own, requester_of, snapshot
from resolvers.errors import ApiError, Conflict, NoLongerApplies


async def approve_change_request(
    context: Context, *, request_id: str, answer: str | None, proposal_of: ProposalOf
) -> ChangeRequestRow:
    rules.refuse(rules.first_refusal("approveChangeRequest", context.principal))
    answer = _answer(answer, required=False)
    refused: ApiError | None = None
    async with context.changing() as change:
        request = await _open_request(context, change, request_id)
        proposal = proposal_of(request.kind, request.proposed)
        context.requested_by = requester_of(request)
        change.origin = context.origin  # every row of the answer names the requester too
        try:
            try:
                async with change.conn.transaction():
                    await proposal.apply(context)
            except ApiError as failure:
                refused = failure
            if refused is None:
                request = await _decide(context, change, request, "approved", answer)
            else:
                request = await change_requests.note_conflict(
                    change.conn, request_id=request.id, conflict=refused.message
                )
                await change.record(
                    _event(
                        request,
                        "changeRequest.approve",
                        outcome="refused",
                        after={**snapshot(request), "cause": refused.code.value},
                        reason=refused.message[:500],
                    )
                )
        finally:
            context.requested_by = None
    if refused is not None:
        raise NoLongerApplies(
            f"The change no longer applies, so nothing was changed: {refused.message}",
            cause=refused,
            request_id=request.id,
        )
    return request


async def decline_change_request(context: Context, *, request_id: str, answer: str) -> ChangeRequestRow:
    rules.refuse(rules.first_refusal("declineChangeRequest", context.principal))
    why = _answer(answer, required=True)
    async with context.changing() as change:
        request = await _open_request(context, change, request_id)
        context.requested_by = requester_of(request)
        change.origin = context.origin  # every row of the answer names the requester too
        try:
            request = await _decide(context, change, request, "declined", why)
        finally:
            context.requested_by = None
    return request


async def withdraw_change_request(context: Context, *, request_id: str) -> ChangeRequestRow:
    """withdrawChangeRequest: the requester takes back their own open request (anyone else's is not
    found, as it is not theirs to see)."""
    rules.refuse(rules.first_refusal("withdrawChangeRequest", context.principal))
    async with context.changing() as change:
        request_uuid = validation.object_id(request_id, type_name="ChangeRequest", field="id")
        request = await change_requests.lock(change.conn, request_id=request_uuid)
        if request is None or not request.requested_by(context.principal):
            raise validation.not_found("ChangeRequest", request_id, "id")
        state = request.state_at(context.now())
        if state != "open":
            raise Conflict(f"This request was already {state}.", field="id", current_version=request.version)
        withdrawn = await change_requests.decide(
            change.conn,
            request_id=request.id,
            state="withdrawn",
            decided_by=context.principal.audit_fields(),
            decided_at=context.now(),
            answer=None,
        )
        await change.record(
            _event(withdrawn, "changeRequest.withdraw", after=snapshot(withdrawn), reason=None)
        )
    return withdrawn


def _answer(value: str | None, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    cleaned = validation.text(
        value or "", field="answer", label="An answer", max_length=500, required=required, multiline=True
    )
    return cleaned or None


async def _open_request(context: Context, change: Change, global_id: str) -> ChangeRequestRow:
    """The request, locked; refused when it is the caller's own, answered already, or expired."""
    request_id: uuid.UUID = validation.object_id(global_id, type_name="ChangeRequest", field="id")
    request = await change_requests.lock(change.conn, request_id=request_id)
    if request is None:
        raise validation.not_found("ChangeRequest", global_id, "id")
    not_their_own(request, context.principal)
    state = request.state_at(context.now())
    if state == "expired":
        raise Conflict(
            f"This request expired at {request.expires_at.isoformat()}: it can no longer be answered. "
            "The requester may ask again.",
            field="id",
            current_version=request.version,
        )
    if state != "open":
        raise Conflict(f"This request was already {state}.", field="id", current_version=request.version)
    return request


async def _decide(
    context: Context, change: Change, request: ChangeRequestRow, state: str, answer: str | None
) -> ChangeRequestRow:
    decided = await change_requests.decide(
        change.conn,
        request_id=request.id,
        state=state,
        decided_by=context.principal.audit_fields(),
        decided_at=context.now(),
        answer=answer,
    )
    action = "changeRequest.approve" if state == "approved" else "changeRequest.decline"
    await change.record(_event(decided, action, after=snapshot(decided), reason=answer))
    return decided


def _event(
    request: ChangeRequestRow,
    action: str,
    *,
    after: dict[str, object],
    reason: str | None,
    outcome: str = "succeeded",
) -> Event:
    return Event(
        action=action,
        target_type="ChangeRequest",
        target_id=request.id,
        carrier_id=request.carrier_ids[0] if request.carrier_ids else None,
        organization_id=request.organization_id,
        after=after,
        reason=reason,
        outcome=outcome,
    )
