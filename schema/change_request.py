"""Requests to Support: the ChangeRequest type, and what each kind proposes.

A request proposes one call of a restricted function, with that mutation's own input type
(`RequestChangeInput` takes exactly one); approving it runs the very function the mutation runs
(`run_*` in schema/mutations/), so the change is made through the same resolver and rules as if staff
had made it.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, cast

import strawberry
from strawberry.tools import create_type
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from strawberry.utils.str_converters import to_camel_case

from context import Context
from db.change_requests import ChangeRequestRow
from db.pagination import Cursor
from resolvers.carriers import carrier_by_id
from resolvers.change_requests import OPERATIONS, Named, Proposal
from resolvers.errors import BadUserInput
from resolvers.global_ids import to_global_id
from resolvers.organizations import organization_by_id
from schema.actor import Actor
from schema.carrier import Carrier
from schema.mutations.api_keys import UpdateApiKeyInput, run_update_api_key
from schema.mutations.enablements import (
    SetCarrierEnablementInput,
    SetOrganizationEnablementInput,
    run_set_carrier_enablement,
    run_set_organization_enablement,
)
from schema.mutations.organizations import (
    AttachCarrierInput,
    CreateOrganizationInput,
    DetachCarrierInput,
    MoveCarrierInput,
    run_attach,
    run_create_organization,
    run_detach,
    run_move,
)
from schema.organization import Organization


@strawberry.enum(description="Which restricted function a request to Support asks staff to use.")
class ChangeRequestKind(enum.Enum):
    CREATE_ORGANIZATION = strawberry.enum_value(
        "create_organization", description="createOrganization: a new organization with these carriers."
    )
    ATTACH_CARRIER = strawberry.enum_value(
        "attach_carrier", description="attachCarrierToOrganization: add a carrier to an organization."
    )
    MOVE_CARRIER = strawberry.enum_value(
        "move_carrier", description="moveCarrierToOrganization: move a carrier to another organization."
    )
    DETACH_CARRIER = strawberry.enum_value(
        "detach_carrier", description="detachCarrierFromOrganization: take a carrier out of its organization."
    )
    SET_CARRIER_ENABLEMENT = strawberry.enum_value(
        "set_carrier_enablement", description="setCarrierEnablement: switch a feature for a carrier."
    )
    SET_ORGANIZATION_ENABLEMENT = strawberry.enum_value(
        "set_organization_enablement",
        description="setOrganizationEnablement: switch a feature for an organization.",
    )
    NEVER_EXPIRING_KEY = strawberry.enum_value(
        "never_expiring_key",
        description="updateApiKey with neverExpires: a key that never expires (only where the platform "
        "allows them, `apiKeyPolicy.nonExpiringAllowed`).",
    )


@strawberry.enum(description="Where a request to Support stands.")
class ChangeRequestState(enum.Enum):
    OPEN = strawberry.enum_value("open", description="Waiting for staff.")
    APPROVED = strawberry.enum_value("approved", description="Approved: the change was made as proposed.")
    DECLINED = strawberry.enum_value("declined", description="Declined, with an answer.")
    EXPIRED = strawberry.enum_value(
        "expired", description="Not answered before `expiresAt` (CHANGE_REQUEST_EXPIRY_HOURS)."
    )
    WITHDRAWN = strawberry.enum_value("withdrawn", description="Withdrawn by the requester.")


@strawberry.input(description="Make a key that never expires (what updateApiKey with neverExpires does).")
class NeverExpiringKeyInput:
    api_key_id: strawberry.ID = strawberry.field(description="The key, active, of a carrier.")
    expected_version: int | None = strawberry.field(
        default=None, description="The key's version you last saw (refused at approval if it moved on)."
    )


# --- what each kind proposes ---------------------------------------------------------------------------


def _never_expiring(context: Context, input: NeverExpiringKeyInput) -> Awaitable[object]:
    return run_update_api_key(
        context,
        UpdateApiKeyInput(id=input.api_key_id, never_expires=True, expected_version=input.expected_version),
    )


def _state(input: Any) -> str:
    return str(input.state.value).lower()


def _none(_input: Any) -> tuple[str, ...]:
    return ()


def _carrier(input: Any) -> tuple[str, ...]:
    return (input.carrier_id,)


def _organization(input: Any) -> tuple[str, ...]:
    return (input.organization_id,)


@dataclass(frozen=True, slots=True)
class Kind:
    """What a kind proposes: its input (RequestChangeInput's field of the kind's name), the function the
    restricted mutation runs, what it names (carriers, organizations, a key) and the change in words."""

    input: type
    run: Callable[[Context, Any], Awaitable[object]]
    describe: Callable[[Any, Named], str]
    carriers: Callable[[Any], tuple[str, ...]] = _none
    organizations: Callable[[Any], tuple[str, ...]] = _none
    api_key: Callable[[Any], str | None] = lambda _input: None
    # RequestChangeInput's description of its field (None: "As <the mutation> takes it.").
    asked: str | None = None


def _org(named: Named, global_id: str) -> str:
    return named.organizations.get(global_id, "an organization")


def _created(i: CreateOrganizationInput, n: Named) -> str:
    carriers = f" with {', '.join(n.carriers[c] for c in i.carrier_ids)}" if i.carrier_ids else ""
    return f"Create the organization {i.name!r}{carriers}"


def _moved(i: MoveCarrierInput, n: Named) -> str:
    leaving, joining = _org(n, i.from_organization_id), _org(n, i.to_organization_id)
    return f"Move {n.carriers[i.carrier_id]} from {leaving} to {joining}"


KINDS: dict[str, Kind] = {
    "create_organization": Kind(
        CreateOrganizationInput, run_create_organization, _created, carriers=lambda i: tuple(i.carrier_ids)
    ),
    "attach_carrier": Kind(
        AttachCarrierInput,
        run_attach,
        lambda i, n: f"Add {n.carriers[i.carrier_id]} to {_org(n, i.organization_id)}",
        _carrier,
        _organization,
    ),
    "move_carrier": Kind(
        MoveCarrierInput, run_move, _moved, _carrier, lambda i: (i.to_organization_id, i.from_organization_id)
    ),
    "detach_carrier": Kind(
        DetachCarrierInput,
        run_detach,
        lambda i, n: f"Take {n.carriers[i.carrier_id]} out of its organization",
        _carrier,
    ),
    "set_carrier_enablement": Kind(
        SetCarrierEnablementInput,
        run_set_carrier_enablement,
        lambda i, n: f"Set {i.feature_key} to {_state(i)} for {n.carriers[i.carrier_id]}",
        _carrier,
    ),
    "set_organization_enablement": Kind(
        SetOrganizationEnablementInput,
        run_set_organization_enablement,
        lambda i, n: f"Set {i.feature_key} to {_state(i)} for {_org(n, i.organization_id)}",
        organizations=_organization,
    ),
    "never_expiring_key": Kind(
        NeverExpiringKeyInput,
        _never_expiring,
        lambda i, n: f"Let the key {n.keys.get(i.api_key_id, '')} never expire",
        api_key=lambda i: i.api_key_id,
        asked="A key of yours that never expires.",
    ),
}


def _proposal_field(kind: str, spec: Kind) -> StrawberryField:
    field: StrawberryField = strawberry.field(
        graphql_type=Optional[spec.input],  # noqa: UP045 - a runtime type, not an annotation
        default=None,
        description=spec.asked or f"As {OPERATIONS[kind]} takes it.",
    )
    field.python_name = kind
    return field


def _reason_field() -> StrawberryField:
    field: StrawberryField = strawberry.field(
        graphql_type=str, description="Why you need it (1 to 500 characters); staff read it."
    )
    field.python_name = "reason"
    return field


# The reason, and a field per kind (named as the kind), each the restricted mutation's own input type.
RequestChangeInput: type = create_type(
    "RequestChangeInput",
    [_reason_field(), *(_proposal_field(kind, spec) for kind, spec in KINDS.items())],
    is_input=True,
    description="A change only staff may make, proposed to them with a reason: exactly one of the "
    "proposals, each the restricted mutation's own input.",
)


def proposal(kind: str, input: Any) -> Proposal:
    """A kind's proposal of this input (one of the restricted mutations' input types)."""
    spec = KINDS[kind]
    return Proposal(
        kind=kind,
        proposed=to_json(input),
        carrier_ids=spec.carriers(input),
        organization_ids=spec.organizations(input),
        api_key_id=spec.api_key(input),
        apply=lambda context: spec.run(context, input),
        describe=lambda named: spec.describe(input, named),
    )


def proposal_of(kind: str, proposed: dict[str, Any]) -> Proposal:
    """A stored request's proposal, its input rebuilt as the API took it."""
    return proposal(kind, from_json(KINDS[kind].input, proposed))


def requested(input: Any) -> Proposal:
    """The one proposal a RequestChangeInput gives."""
    given = [kind for kind in KINDS if getattr(input, kind) is not None]
    if len(given) != 1:
        raise BadUserInput(
            "Propose exactly one change: one of " + ", ".join(to_camel_case(kind) for kind in KINDS) + ".",
            field="input",
        )
    return proposal(given[0], getattr(input, given[0]))


def to_json(input: Any) -> dict[str, Any]:
    """An input as JSON, its fields named as the API names them."""
    return {
        to_camel_case(field.python_name): _plain(getattr(input, field.python_name))
        for field in input.__strawberry_definition__.fields
    }


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def from_json(cls: type, data: dict[str, Any]) -> Any:
    arguments = {}
    for field in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        key = to_camel_case(field.python_name)
        if key in data:
            value = data[key]
            if isinstance(field.type, StrawberryEnumDefinition) and value is not None:
                value = field.type.wrapped_cls(value)
            arguments[field.python_name] = value
    return cls(**arguments)


# --- the type --------------------------------------------------------------------------------------------


@strawberry.type(
    description="A request to Support: a change only staff may make, proposed with a reason, and its "
    "answer. Staff see every request; anyone else, their own."
)
class ChangeRequest:
    id: strawberry.ID = strawberry.field(description="The request's id.")
    kind: ChangeRequestKind = strawberry.field(description="Which restricted function it asks for.")
    state: ChangeRequestState = strawberry.field(
        description="Where it stands now (an open request past `expiresAt` is EXPIRED)."
    )
    summary: str = strawberry.field(
        description="The change in words, naming what it concerns as it was called when requested."
    )
    proposed: strawberry.scalars.JSON = strawberry.field(
        description="The change exactly as proposed: the restricted mutation's input (fields as the API "
        "names them). Approval makes exactly this change."
    )
    reason: str = strawberry.field(description="Why the requester needs it.")
    requested_by: Actor = strawberry.field(description="Who asked.")
    requested_at: datetime = strawberry.field(description="When.")
    expires_at: datetime = strawberry.field(description="When it expires if not answered.")
    decided_by: Actor | None = strawberry.field(
        description="Who approved or declined it (the system, for an expiry)."
    )
    decided_at: datetime | None = strawberry.field(description="When it was answered (or expired).")
    answer: str | None = strawberry.field(description="Staff's answer: why declined, or a note on approval.")
    conflict: str | None = strawberry.field(
        description="Why the last attempt to approve it was refused (the change no longer applied), if one "
        "was; it stays open."
    )
    version: int = strawberry.field(description="Goes up with every change of the request.")
    carrier_ids: strawberry.Private[list[Any]]
    organization_id: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: ChangeRequestRow, now: datetime) -> ChangeRequest:
        return cls(
            id=to_global_id("ChangeRequest", row.id),
            kind=ChangeRequestKind(row.kind),
            state=ChangeRequestState(row.state_at(now)),
            summary=row.summary,
            proposed=cast("strawberry.scalars.JSON", row.proposed),
            reason=row.reason,
            requested_by=Actor.of(row.requested_by_kind, row.requested_by_id, row.requested_by_name),  # type: ignore[arg-type]
            requested_at=row.requested_at,
            expires_at=row.expires_at,
            decided_by=Actor.of(row.decided_by_kind, row.decided_by_id, row.decided_by_name),
            decided_at=row.decided_at,
            answer=row.answer,
            conflict=row.conflict,
            version=row.version,
            carrier_ids=list(row.carrier_ids),
            organization_id=row.organization_id,
        )

    @strawberry.field(description="The carriers it concerns that you can see.")
    async def carriers(self, info: Info[Context, None]) -> list[Carrier]:
        found = await asyncio.gather(*(carrier_by_id(info.context, c) for c in self.carrier_ids))
        return [Carrier.from_row(row) for row in found if row is not None]

    @strawberry.field(description="The organization it concerns (the one it names first), if you can see it.")
    async def organization(self, info: Info[Context, None]) -> Organization | None:
        row = await organization_by_id(info.context, self.organization_id)
        return Organization.from_row(row) if row else None


def change_request_cursor(row: ChangeRequestRow) -> Cursor:
    return Cursor("changeRequests", row.requested_at.isoformat(), row.id)
