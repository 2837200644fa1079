"""The query root: where every read of the graph starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.activity import ActivityFilter
from db.carriers import CarrierFilter
from db.change_requests import RequestFilter
from resolvers import activity, carriers, features, key_policy, nodes, organizations
from resolvers import api_keys as api_key_reads
from resolvers import change_requests as change_request_reads
from resolvers.api_keys import api_key_by_row_id
from resolvers.effective_enablements import effective_enablements
from resolvers.errors import BadUserInput, NotFound
from resolvers.global_ids import from_global_id
from resolvers.membership_preview import membership_preview
from resolvers.nodes import decode_id
from resolvers.pages import PageArgs
from schema.activity import ActivityEvent, activity_cursor
from schema.api_key import ApiKey, api_key_columns, api_key_cursor, key_listing
from schema.api_key_policy import ApiKeyPolicy, PolicyOwner
from schema.carrier import Carrier, carrier_cursor
from schema.change_request import ChangeRequest, ChangeRequestKind, ChangeRequestState, change_request_cursor
from schema.connection import After, Before, Connection, First, Last, connection
from schema.directives import Public, RequiresScope, Restricted
from schema.effective_change import EffectiveChange, effective_changes
from schema.effective_enablements import EffectiveEnablements
from schema.enforcement import node_scopes
from schema.enums import ActivityOutcome
from schema.feature import Feature
from schema.inputs import ApiKeyFilter, ApiKeyOrder
from schema.node import Node
from schema.organization import Organization, organization_cursor
from schema.prefetch import prefetch_children
from schema.request_limits import RequestLimits
from schema.selection import alone, connection_item_fields
from schema.viewer import Viewer

NODE_TYPES: dict[str, type] = {
    "Carrier": Carrier,
    "Organization": Organization,
    "Feature": Feature,
    "ApiKey": ApiKey,
    "ActivityEvent": ActivityEvent,
}
# What reading each type by id takes: the type's own @requiresScope marks.
NODE_SCOPES = node_scopes(NODE_TYPES)
NODE_WRAPPERS: dict[str, Callable[[Any, Context], Node]] = {
    "Carrier": lambda row, _: Carrier.from_row(row),
    "Organization": lambda row, _: Organization.from_row(row),
    "Feature": lambda row, _: Feature.from_row(row),
    "ApiKey": lambda row, context: ApiKey.from_row(row, context.now()),
    "ActivityEvent": lambda row, _: ActivityEvent.from_row(row),
}


@strawberry.type(description="Read the organization → carrier → enablements/keys graph.")
class Query:
    @strawberry.field(description="Who is calling, and what they may do.", directives=[Public()])
    def viewer(self, info: Info[Context, None]) -> Viewer:
        return Viewer.of(info.context.principal)

    @strawberry.field(description="Any object by its global id; null when the caller cannot see it.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        (found,) = await nodes.nodes(info.context, [id], NODE_SCOPES)
        return NODE_WRAPPERS[found[0]](found[1], info.context) if found else None

    @strawberry.field(description="Objects by global id, in order; null for each the caller cannot see.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        limit = info.context.settings.max_ids_per_request
        if len(ids) > limit:
            raise BadUserInput(
                f"At most {limit} ids per request (MAX_IDS_PER_REQUEST).", argument="ids", limit=limit
            )
        found = await nodes.nodes(info.context, ids, NODE_SCOPES)
        return [NODE_WRAPPERS[f[0]](f[1], info.context) if f else None for f in found]

    @strawberry.field(
        description="The directory of every organization, by name (the 'Add to existing "
        "Organization' picker). Administrators find theirs under `viewer.organizations`.",
        directives=[Restricted(reason="organization structure")],
    )
    async def organizations(
        self,
        info: Info[Context, None],
        search: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Organization] | None:
        # Nullable, as every restricted field: a refusal must not take the rest of the response with it.
        page = await organizations.list_organizations(
            info.context, search, page_args=PageArgs(first, after, last, before)
        )
        return connection(page, Organization.from_row, organization_cursor)

    @strawberry.field(
        description="One organization by global id; null when not found or not in reach.",
        directives=[RequiresScope(scope=Scope.CARRIER_READ)],
    )
    async def organization(self, info: Info[Context, None], id: strawberry.ID) -> Organization | None:
        organization_id = decode_id(id, "Organization")
        row = await organizations.organization_by_id(info.context, organization_id, alone=alone(info))
        return Organization.from_row(row) if row else None

    @strawberry.field(
        description="The carriers in reach, by code: optionally of one organization, only attached "
        "(or only unattached) ones, or those whose code or name contains `search`.",
        directives=[RequiresScope(scope=Scope.CARRIER_READ)],
    )
    async def carriers(
        self,
        info: Info[Context, None],
        organization_id: strawberry.ID | None = None,
        attached: bool | None = None,
        search: str | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Carrier]:
        where = CarrierFilter(
            organization_id=_filter_id(info.context, organization_id, "Organization", "organizationId"),
            attached=attached,
            search=search,
        )
        page = await carriers.list_carriers(
            info.context, where, page_args=PageArgs(first, after, last, before)
        )
        found = connection(page, Carrier.from_row, carrier_cursor)
        await prefetch_children(info, found.nodes)
        return found

    @strawberry.field(
        description="One carrier by global id or by code (case-insensitive); null when not found or "
        "not in reach.",
        directives=[RequiresScope(scope=Scope.CARRIER_READ)],
    )
    async def carrier(
        self, info: Info[Context, None], id: strawberry.ID | None = None, code: str | None = None
    ) -> Carrier | None:
        if (id is None) == (code is None):
            raise BadUserInput("Pass exactly one of `id` and `code`.", argument="id")
        if code is not None:
            row = await carriers.carrier_by_code(info.context, code, alone=alone(info))
        else:
            carrier_id = decode_id(str(id), "Carrier")
            row = await carriers.carrier_by_id(info.context, carrier_id, alone=alone(info))
        return Carrier.from_row(row) if row else None

    @strawberry.field(
        description="The feature catalogue, by key.",
        directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
    )
    async def features(self, info: Info[Context, None]) -> list[Feature]:
        return [Feature.from_row(r) for r in await features.list_features(info.context)]

    @strawberry.field(
        description="Which of these features are effective for these carriers: for other services reading "
        "in bulk (a service key with ENABLEMENTS_READ reaches every carrier). At most 1000 carriers by "
        "id or code and 200 feature keys (omitted: every feature); a constant number of statements.",
        directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
    )
    async def effective_enablements(
        self,
        info: Info[Context, None],
        carrier_ids: list[strawberry.ID] | None = None,
        carrier_codes: list[str] | None = None,
        feature_keys: list[str] | None = None,
    ) -> EffectiveEnablements:
        bulk = await effective_enablements(
            info.context, carrier_ids=carrier_ids, carrier_codes=carrier_codes, feature_keys=feature_keys
        )
        return EffectiveEnablements.of(bulk)

    @strawberry.field(
        description="What a change of organization would do, before it is made: the features whose "
        "effective value would turn for the carrier were it in `organizationId` (null: in none) instead "
        "of where it is now, as attach, move and detach answer in `effectiveChanges`. Null when the "
        "carrier or the organization is not in the caller's reach.",
        directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
    )
    async def membership_preview(
        self,
        info: Info[Context, None],
        carrier_id: strawberry.ID,
        organization_id: strawberry.ID | None = None,
    ) -> list[EffectiveChange] | None:
        changes = await membership_preview(
            info.context, carrier_id=carrier_id, organization_id=organization_id
        )
        return effective_changes(changes) if changes is not None else None

    @strawberry.field(
        description="Every API key in the caller's reach (staff: of every carrier), oldest first unless "
        "`orderBy` says otherwise; `filter` finds keys by text, status, expiry, scope or lack of use.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def api_keys(
        self,
        info: Info[Context, None],
        filter: ApiKeyFilter | None = None,
        order_by: ApiKeyOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiKey]:
        listing, descending = key_listing(info.context, filter, order_by)
        page = await api_key_reads.list_api_keys(
            info.context,
            listing,
            descending=descending,
            page_args=PageArgs(first, after, last, before),
            columns=api_key_columns(connection_item_fields(info), listing.order),
        )
        now = info.context.now()
        return connection(page, ApiKey.views(now), api_key_cursor(listing, descending))

    @strawberry.field(
        description="The limits this server puts on requests: page sizes, ids per request, cost, rates.",
        directives=[Public()],
    )
    def limits(self, info: Info[Context, None]) -> RequestLimits:
        return RequestLimits.of(info.context.settings)

    @strawberry.field(
        description="The API key policy this server enforces: lifetimes, limits, scopes. Given a carrier, "
        "the policy its keys follow (the strictest of the platform's, its organization's and staff's "
        "tightening for it), each rule with the level that set it; a carrier not in reach is NOT_FOUND."
    )
    async def api_key_policy(
        self,
        info: Info[Context, None],
        carrier_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The carrier; omitted: the platform's.")
        ] = None,
    ) -> ApiKeyPolicy:
        context = info.context
        if carrier_id is None:
            return ApiKeyPolicy.of(context.settings)
        row = await carriers.carrier_by_id(context, decode_id(carrier_id, "Carrier"))
        if row is None:
            raise NotFound(f"No carrier {carrier_id} in reach.", argument="carrierId")
        return ApiKeyPolicy.of(
            context.settings, await key_policy.for_carrier(context, row.id), PolicyOwner(row.id)
        )

    @strawberry.field(
        description="One API key by global id; null when not found or not in reach.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def api_key(self, info: Info[Context, None], id: strawberry.ID) -> ApiKey | None:
        row = await api_key_by_row_id(info.context, decode_id(id, "ApiKey"))
        return ApiKey.from_row(row, info.context.now()) if row else None

    @strawberry.field(
        description="The activity log of what the caller sees, newest first; filter by carrier (with its "
        "organization's own events unless `includeOrganization` is false), organization, actor, action, "
        "outcome, target and time range [since, until). An event is seen by whoever sees its carrier "
        "now, by the administrators of the organization it was recorded under, and (an organization's "
        "own event) by whoever sees the organization.",
        directives=[RequiresScope(scope=Scope.ACTIVITY_READ)],
    )
    async def activity(
        self,
        info: Info[Context, None],
        carrier_id: strawberry.ID | None = None,
        include_organization: bool = True,
        organization_id: strawberry.ID | None = None,
        actor_id: str | None = None,
        action: str | None = None,
        outcome: ActivityOutcome | None = None,
        target_id: strawberry.ID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ActivityEvent]:
        target = None
        if target_id is not None:
            decoded = from_global_id(target_id)
            if decoded is None:
                raise BadUserInput("`targetId` is not an id this API issued.", argument="targetId")
            target = decoded[1]
        where = ActivityFilter(
            actor_id=actor_id,
            action=action,
            target_id=target,
            since=since,
            until=until,
            carrier_id=_filter_id(info.context, carrier_id, "Carrier", "carrierId"),
            with_organization=include_organization,
            organization_id=_filter_id(info.context, organization_id, "Organization", "organizationId"),
            outcome=outcome.value if outcome else None,
        )
        page = await activity.list_activity(
            info.context, where, page_args=PageArgs(first, after, last, before)
        )
        return connection(page, ActivityEvent.from_row, activity_cursor)

    @strawberry.field(
        description="Requests to Support, newest first: staff see every request (the queue: "
        "`filter: {state: OPEN}`), anyone else their own; an API key, none."
    )
    async def change_requests(
        self,
        info: Info[Context, None],
        filter: ChangeRequestFilter | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ChangeRequest]:
        given = filter or ChangeRequestFilter()
        now = info.context.now()
        where = RequestFilter(
            state=cast("str", given.state.value) if given.state else None,
            kind=cast("str", given.kind.value) if given.kind else None,
            carrier_id=_filter_id(info.context, given.carrier_id, "Carrier", "carrierId"),
            organization_id=_filter_id(info.context, given.organization_id, "Organization", "organizationId"),
            requested_before=(
                now - timedelta(hours=given.older_than_hours) if given.older_than_hours is not None else None
            ),
            requested_since=given.requested_since,
            requested_until=given.requested_until,
            mine=given.mine,
        )
        page = await change_request_reads.listed(info.context, where, PageArgs(first, after, last, before))
        return connection(page, lambda row: ChangeRequest.from_row(row, now), change_request_cursor)

    @strawberry.field(description="A request to Support by id: staff's any, anyone else's their own.")
    async def change_request(self, info: Info[Context, None], id: strawberry.ID) -> ChangeRequest | None:
        row = await change_request_reads.by_id(info.context, id)
        return ChangeRequest.from_row(row, info.context.now()) if row else None


@strawberry.input(description="Which requests to Support to list; all given conditions hold.")
class ChangeRequestFilter:
    state: ChangeRequestState | None = strawberry.field(
        default=None, description="Only those in this state (the queue: OPEN)."
    )
    kind: ChangeRequestKind | None = strawberry.field(default=None, description="Only this kind.")
    carrier_id: strawberry.ID | None = strawberry.field(default=None, description="Only those concerning it.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only those concerning it."
    )
    older_than_hours: float | None = strawberry.field(
        default=None, description="Only those requested at least this many hours ago."
    )
    requested_since: datetime | None = strawberry.field(
        default=None, description="Only those requested at or after this moment."
    )
    requested_until: datetime | None = strawberry.field(
        default=None, description="Only those requested before this moment."
    )
    mine: bool = strawberry.field(default=False, description="Only your own (staff see everyone's).")


def _filter_id(context: Context, global_id: str | None, type_name: str, argument: str) -> Any:
    if global_id is None:
        return None
    raw = decode_id(global_id, type_name)
    if raw is None:
        raise BadUserInput(f"`{argument}` is not the id of an {type_name}.", argument=argument)
    return raw
