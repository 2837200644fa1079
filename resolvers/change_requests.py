"""Requests to Support: what a request proposes, who sees which, and how they change live.

A request proposes one call of a restricted function (a `Proposal`): its input as the restricted
mutation takes it, and `apply`, which runs that mutation's own resolver with it. Requesting tries it
(in a savepoint, rolled back, as staff would make it now), so a change that would be refused is refused
then with the mutation's own typed error; approving makes it (resolvers/approve_change_request.py).
The schema layer builds proposals (schema/change_request.py), since the inputs are its types.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from access.principal import ALL_SCOPES, EVERYTHING, PrincipalKind
from context import Context
from db import change_requests
from db.change_requests import ChangeRequestRow, RequestFilter
from db.pagination import Page
from resolvers import filters, validation
from resolvers.errors import Forbidden, ForbiddenRule, NotFound
from resolvers.live import Unavailable
from resolvers.pages import PageArgs, page_request
from resolvers.rules import people_only
from services.change_feed import Change
from services.live_changes import LiveChangesEnded

# The kinds, as the database and the API (upper-case) name them, and the restricted mutation each runs.
OPERATIONS: Mapping[str, str] = {
    "create_organization": "createOrganization",
    "attach_carrier": "attachCarrierToOrganization",
    "move_carrier": "moveCarrierToOrganization",
    "detach_carrier": "detachCarrierFromOrganization",
    "set_carrier_enablement": "setCarrierEnablement",
    "set_organization_enablement": "setOrganizationEnablement",
    "never_expiring_key": "updateApiKey",
}


@dataclass(frozen=True, slots=True)
class Named:
    """What a proposal names, as the requester reaches it now: carriers' codes, organizations' names and
    keys' hints by the global id the input gave (for its summary)."""

    carriers: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    # Each named carrier's organization now (a detach names the organization it leaves).
    carrier_organizations: dict[str, uuid.UUID | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed call of a restricted function."""

    kind: str  # a key of OPERATIONS
    proposed: dict[str, Any]  # the mutation's input, as the API names its fields
    carrier_ids: tuple[str, ...] = ()  # global ids of the carriers it names
    organization_ids: tuple[str, ...] = ()  # ... and organizations (the one it concerns first)
    api_key_id: str | None = None  # the key it names, if any
    # Runs the restricted mutation's resolver with this input (as the mutation would).
    apply: Callable[[Context], Awaitable[object]] = field(default=lambda _context: _nothing(), repr=False)
    # The change in words, given what it names.
    describe: Callable[[Named], str] = field(default=lambda _named: "", repr=False)

    @property
    def operation(self) -> str:
        return OPERATIONS[self.kind]


async def _nothing() -> None:
    return None


# Builds a stored request's proposal again (schema/change_request.proposal_of).
ProposalOf = Callable[[str, dict[str, Any]], Proposal]


# --- the rules -----------------------------------------------------------------------------------------


def not_their_own(request: ChangeRequestRow, principal: Any) -> None:
    if request.requested_by(principal):
        raise Forbidden(
            "Nobody approves or declines their own request: another member of staff must.",
            rule=ForbiddenRule.OWN_REQUEST,
            field="id",
        )


# --- who made it, who acts ------------------------------------------------------------------------------


def requester_of(request: ChangeRequestRow) -> dict[str, Any]:
    """Who asked, as the activity rows of its approval record it (`ActivityEvent.requestedBy`)."""
    return {
        "kind": request.requested_by_kind,
        "id": request.requested_by_id,
        "name": request.requested_by_name,
        "changeRequestId": str(request.id),
    }


@contextmanager
def as_staff(context: Context) -> Iterator[None]:
    """Acting as staff would, for one block: the try-out of a proposal when it is requested (always
    rolled back), so that the same resolver judges it as it would judge staff making it."""
    saved = context.principal
    context.principal = replace(
        saved, kind=PrincipalKind.STAFF, reach=EVERYTHING, scopes=ALL_SCOPES, grant=None
    )
    try:
        yield
    finally:
        context.principal = saved


# --- reads ----------------------------------------------------------------------------------------------


async def listed(context: Context, where: RequestFilter, page_args: PageArgs) -> Page[ChangeRequestRow]:
    """A page of the requests the caller sees (staff: every one; anyone else: their own; a key: none)."""
    page = page_request(context, "changeRequests", page_args)
    if people_only(context.principal) is not None:
        return Page([], False, False, 0)
    where = replace(
        where,
        requested_since=filters.instant(where.requested_since, "requestedSince"),
        requested_until=filters.instant(where.requested_until, "requestedUntil"),
    )
    async with context.db.acquire() as conn:
        return await change_requests.page(
            conn, principal=context.principal, where=where, now=context.now(), page=page
        )


async def by_id(context: Context, global_id: str) -> ChangeRequestRow | None:
    try:
        request_id = validation.object_id(global_id, type_name="ChangeRequest", field="id")
    except NotFound:  # a malformed id answers as a random one does: null
        return None
    async with context.db.acquire() as conn:
        found = await change_requests.by_ids(conn, principal=context.principal, ids=[request_id])
    return found.get(request_id)


# --- live -----------------------------------------------------------------------------------------------


async def changes(context: Context) -> AsyncIterator[ChangeRequestRow]:
    """Each request the subscriber sees (staff: every one; others: their own) as it is made, decided or
    expires, read afresh."""
    if (refusal := people_only(context.principal)) is not None:
        raise refusal.failure()
    if context.live is None:
        raise Unavailable("Subscriptions are not available on this server.")

    def wanted(change: Change) -> bool:
        return change.kind == "change_request"

    try:
        async with context.live.watching(wanted) as watch:
            while True:
                change = await watch.next()
                if change.id is None:
                    continue
                async with context.db.acquire() as conn:
                    found = await change_requests.by_ids(conn, principal=context.principal, ids=[change.id])
                if change.id in found:
                    context.release()  # what the last event loaded (rows, feature views) goes
                    yield found[change.id]
    except LiveChangesEnded as ended:
        raise Unavailable(str(ended)) from None


def snapshot(request: ChangeRequestRow) -> dict[str, Any]:
    """A request as its activity rows record it."""
    return {
        "kind": request.kind.upper(),
        "summary": request.summary,
        "proposed": request.proposed,
        "state": request.state.upper(),
    }
