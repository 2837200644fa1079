"""The ActivityEvent type: one entry of the append-only activity log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.activity import ActivityRow, Outcome
from db.pagination import Cursor
from resolvers.activity_contents import public, target_name
from resolvers.global_ids import to_global_id
from schema.actor import Actor
from schema.directives import RequiresScope, RequiresScopeOfEvent
from schema.enums import ActivityOutcome
from schema.node import Node

if TYPE_CHECKING:
    from schema.carrier import Carrier


@strawberry.type(
    description="A change (or a refused attempt at a restricted function): who, what, when, from where, why.",
    directives=[RequiresScope(scope=Scope.ACTIVITY_READ)],
)
class ActivityEvent(Node):
    occurred_at: datetime = strawberry.field(description="When it happened.")
    actor: Actor = strawberry.field(description="Who did it.")
    actor_is_staff: bool = strawberry.field(description="Whether the actor was platform staff.")
    action: str = strawberry.field(description="What was done, e.g. `carrier.attach` or `apiKey.revoke`.")
    outcome: ActivityOutcome = strawberry.field(
        description="SUCCEEDED, or REFUSED for a denied restricted call (as `activity(outcome:)` takes them)."
    )
    target_type: str | None = strawberry.field(description="The type of the object acted on.")
    target_id: strawberry.ID | None = strawberry.field(description="The global id of the object acted on.")
    target_name: str | None = strawberry.field(
        description="The object acted on, named as the event recorded it (a rename or a deletion since "
        "does not change it): an API key's description and hint, a carrier's code and name, an "
        "organization's or a feature's name; for an enablement setting, the carrier or organization it "
        "was set for. Null for a refusal, or an event recorded without a name.",
        directives=[RequiresScopeOfEvent()],
    )
    before: JSON | None = strawberry.field(
        description="The object's relevant fields before the change.", directives=[RequiresScopeOfEvent()]
    )
    after: JSON | None = strawberry.field(
        description="The object's relevant fields after the change.", directives=[RequiresScopeOfEvent()]
    )
    reason: str | None = strawberry.field(description="Why, as the actor gave it.")
    request_id: str | None = strawberry.field(description="The request's id, as in the server's logs.")
    client_address: str | None = strawberry.field(description="The client's address.")
    requested_by: Actor | None = strawberry.field(
        description="For a change staff made by approving a request (`approveChangeRequest`): who asked "
        "for it (the actor is the approver). Null otherwise."
    )
    change_request_id: strawberry.ID | None = strawberry.field(
        description="The request (ChangeRequest) this change was made for, approved or declined, if any."
    )
    carrier_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: ActivityRow) -> ActivityEvent:
        return cls(
            id=to_global_id("ActivityEvent", row.id),
            occurred_at=row.occurred_at,
            actor=Actor.of(row.actor_kind, row.actor_id, row.actor_name),  # type: ignore[arg-type]
            actor_is_staff=row.actor_is_staff,
            action=row.action,
            outcome=Outcome(row.outcome),
            target_type=row.target_type,
            target_id=(
                to_global_id(row.target_type, row.target_id) if row.target_type and row.target_id else None
            ),
            target_name=target_name(row.target_type, row.before, row.after),
            before=cast("JSON | None", public(row.before)),
            after=cast("JSON | None", public(row.after)),
            reason=row.reason,
            request_id=row.request_id,
            client_address=row.client_address,
            requested_by=_requester(row.requested_by),
            change_request_id=_change_request_id(row.requested_by),
            carrier_id=row.carrier_id,
        )

    @strawberry.field(description="The carrier the event concerns, if any and if the caller can see it.")
    async def carrier(
        self, info: Info[Context, None]
    ) -> Annotated[Carrier, strawberry.lazy("schema.carrier")] | None:
        from schema.carrier import carrier_of  # the two types refer to each other

        return await carrier_of(info.context, self.carrier_id)


def _requester(requested_by: dict[str, object] | None) -> Actor | None:
    if not requested_by:
        return None
    return Actor.of(
        str(requested_by["kind"]),
        cast("str | None", requested_by.get("id")),
        cast("str | None", requested_by.get("name")),
    )


def _change_request_id(requested_by: dict[str, object] | None) -> strawberry.ID | None:
    found = (requested_by or {}).get("changeRequestId")
    return strawberry.ID(to_global_id("ChangeRequest", uuid.UUID(str(found)))) if found else None


def activity_cursor(row: ActivityRow) -> Cursor:
    return Cursor("activity", row.occurred_at.isoformat(), row.id)
