"""Requests to Support: an administrator proposes a change only staff may make; staff approve (the change
is made exactly as proposed, through the restricted mutation's own resolver) or decline it. People
only: an API key neither requests nor answers (ForbiddenError, rule PEOPLE_ONLY)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from access.principal import Scope
from context import Context
from db.change_requests import ChangeRequestRow
from resolvers.decide_change_request import (
    approve_change_request,
    decline_change_request,
    withdraw_change_request,
)
from resolvers.request_change import request_change
from schema.change_request import ChangeRequest, RequestChangeInput, proposal_of, requested
from schema.directives import RequiresScope, Restricted
from schema.mutations.results import mutation, result_union
from schema.user_errors import (
    AlreadyInOrganizationError,
    ChangeNoLongerAppliesError,
    ConflictError,
    ForbiddenError,
    LimitReachedError,
    NotFoundError,
    ValidationError,
)

# Proposing a change to carriers reads them; people hold every scope, and keys are refused by the rule.
CARRIER_READ = RequiresScope(scope=Scope.CARRIER_READ)
ANSWERING = Restricted(reason="answering requests to Support")


@strawberry.input(description="Approve a request: its change is made exactly as proposed.")
class ApproveChangeRequestInput:
    id: strawberry.ID = strawberry.field(description="The request (not your own).")
    answer: str | None = strawberry.field(default=None, description="A note for the requester (optional).")


@strawberry.input(description="Decline a request, saying why.")
class DeclineChangeRequestInput:
    id: strawberry.ID = strawberry.field(description="The request (not your own).")
    answer: str = strawberry.field(description="Why (1 to 500 characters); the requester reads it.")


@strawberry.input(description="Take back your own open request.")
class WithdrawChangeRequestInput:
    id: strawberry.ID = strawberry.field(description="Your request, still open.")


@strawberry.type(description="The request as it is after the change.")
class ChangeRequestPayload:
    change_request: ChangeRequest = strawberry.field(description="The request.")


RequestChangeResult = Annotated[
    ChangeRequestPayload
    | NotFoundError
    | ValidationError
    | ConflictError
    | ForbiddenError
    | AlreadyInOrganizationError
    | LimitReachedError,
    result_union("RequestChangeResult"),
]
ApproveChangeRequestResult = Annotated[
    ChangeRequestPayload
    | NotFoundError
    | ValidationError
    | ConflictError
    | ForbiddenError
    | ChangeNoLongerAppliesError,
    result_union("ApproveChangeRequestResult"),
]
DeclineChangeRequestResult = Annotated[
    ChangeRequestPayload | NotFoundError | ValidationError | ConflictError | ForbiddenError,
    result_union("DeclineChangeRequestResult"),
]


WithdrawChangeRequestResult = Annotated[
    ChangeRequestPayload | NotFoundError | ValidationError | ConflictError | ForbiddenError,
    result_union("WithdrawChangeRequestResult"),
]


def request_payload(context: Context, row: ChangeRequestRow) -> ChangeRequestPayload:
    return ChangeRequestPayload(change_request=ChangeRequest.from_row(row, context.now()))


async def run_request_change(context: Context, input: Any) -> ChangeRequestRow:
    # Awaited, so that an input proposing none or several changes answers as a ValidationError.
    return await request_change(context, proposal=requested(input), reason=input.reason)


@strawberry.type
class ChangeRequestMutations:
    request_change = mutation(
        "Ask Support (platform staff) for a change only they may make: exactly one proposal, the restricted "
        "mutation's own input, with a reason. It is tried as staff would make it now: a change that would "
        "be refused is refused with that mutation's error, and one that is already so is not requested. "
        "People only; it expires after CHANGE_REQUEST_EXPIRY_HOURS unless answered.",
        guard=CARRIER_READ,
        takes=RequestChangeInput,
        answers=RequestChangeResult,
        run=run_request_change,
        payload=request_payload,
    )
    approve_change_request = mutation(
        "Approve a request (not your own): its change is made exactly as proposed, through the restricted "
        "mutation's own rules, and the activity log names both the requester and you. A change that no "
        "longer applies is refused (ChangeNoLongerAppliesError) and the request stays open.",
        guard=ANSWERING,
        takes=ApproveChangeRequestInput,
        answers=ApproveChangeRequestResult | None,
        run=lambda context, input: approve_change_request(
            context, request_id=input.id, answer=input.answer, proposal_of=proposal_of
        ),
        payload=request_payload,
    )
    decline_change_request = mutation(
        "Decline a request (not your own), with an answer for the requester.",
        guard=ANSWERING,
        takes=DeclineChangeRequestInput,
        answers=DeclineChangeRequestResult | None,
        run=lambda context, input: decline_change_request(context, request_id=input.id, answer=input.answer),
        payload=request_payload,
    )
    withdraw_change_request = mutation(
        "Take back your own open request (WITHDRAWN); nobody else's. People only.",
        guard=CARRIER_READ,
        takes=WithdrawChangeRequestInput,
        answers=WithdrawChangeRequestResult,
        run=lambda context, input: withdraw_change_request(context, request_id=input.id),
        payload=request_payload,
    )
