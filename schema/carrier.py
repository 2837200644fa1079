"""The Carrier type: a rail operator, the tenant everything else hangs off."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.activity import ActivityRow
from db.carriers import CarrierRow
from db.pagination import Cursor, Page
from resolvers import carriers as resolve
from resolvers import key_policy
from resolvers.carrier_facts import carrier_facts
from resolvers.global_ids import to_global_id
from resolvers.pages import PageArgs
from schema.activity import ActivityEvent, activity_cursor
from schema.api_key_policy import ApiKeyPolicy, KeyPolicySettings, PolicyOwner
from schema.connection import After, Before, Connection, First, Last, connection, connection_field
from schema.directives import RequiresScope
from schema.enablement import Enablement, enablements, reads_updates
from schema.inputs import ApiKeyFilter, ApiKeyOrder
from schema.node import Node
from schema.selection import connection_item_fields, list_item_fields

if TYPE_CHECKING:
    from schema.api_key import ApiKey
    from schema.organization import Organization
    from schema.permissions import Permission


@strawberry.type(
    description="A rail operator or business (BNSF, UP, a short line): the tenant.",
    directives=[RequiresScope(scope=Scope.CARRIER_READ)],
)
class Carrier(Node):
    code: str = strawberry.field(description="Short upper-case code, unique across carriers.")
    name: str = strawberry.field(description="Display name.")
    version: int = strawberry.field(
        description="Incremented on every change; pass it as `expectedVersion` to detect edits "
        "made by someone else in the meantime."
    )
    created_at: datetime = strawberry.field(description="When the carrier was created.")
    updated_at: datetime = strawberry.field(description="When the carrier last changed.")
    row_id: strawberry.Private[uuid.UUID]
    organization_id: strawberry.Private[uuid.UUID | None]
    # What the carrier's page loaded for its fields in one go, by response key (schema/prefetch.py); the
    # fast executor takes these as the fields' answers (schema/build.py).
    prefetched: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_row(cls, row: CarrierRow) -> Carrier:
        return cls(
            id=to_global_id("Carrier", row.id),
            code=row.code,
            name=row.name,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row_id=row.id,
            organization_id=row.organization_id,
        )

    @strawberry.field(
        description="The operations on this carrier (its keys, exports, enablements, organization) and "
        "whether the caller may perform them now, given the caller's rights and the carrier's state: its "
        "API access, its active keys against the limit, whether it is in an organization."
    )
    async def permissions(
        self, info: Info[Context, None]
    ) -> list[Annotated[Permission, strawberry.lazy("schema.permissions")]]:
        from schema.permissions import carrier_permissions  # the permissions read the built schema's rules

        facts = await carrier_facts(info.context, self.row_id, self.code, self.organization_id)
        return carrier_permissions(info, facts)

    @strawberry.field(description="The organization the carrier belongs to; null when it has none.")
    async def organization(
        self, info: Info[Context, None]
    ) -> Annotated[Organization, strawberry.lazy("schema.organization")] | None:
        from schema.organization import Organization  # the two types refer to each other

        (row,) = await resolve.organizations_of(info.context, [self.organization_id])
        return Organization.from_row(row) if row else None

    @strawberry.field(
        description="The API key policy this carrier's keys follow: the strictest of the platform's, its "
        "organization's and staff's tightening for it, each rule with the level that set it.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def api_key_policy(self, info: Info[Context, None]) -> ApiKeyPolicy:
        limits = await key_policy.for_carrier(info.context, self.row_id)
        return ApiKeyPolicy.of(info.context.settings, limits, PolicyOwner(self.row_id))

    @strawberry.field(
        description="What staff set for this carrier's keys alone, tightening its organization's policy "
        "(setCarrierKeyPolicy).",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def own_key_policy(self, info: Info[Context, None]) -> KeyPolicySettings:
        levels = await info.context.loaders.key_policy_levels_by_carrier_id.load(self.row_id)
        return KeyPolicySettings.of(levels.carrier if levels else None)

    # The two fields below answer from what the carrier's page prefetched when it can (a plain value),
    # and load for themselves otherwise (an awaitable): the executor takes either. (The fast executor
    # takes the prefetched answer without calling them.)
    @strawberry.field(
        description="Every catalogue feature for this carrier: its own setting, the effective value "
        "and where that comes from.",
        directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
        graphql_type=list[Enablement],
    )
    def enablements(
        self, info: Info[Context, None]
    ) -> Sequence[Enablement] | Awaitable[Sequence[Enablement]]:
        found = self.prefetched.get(str(info.path.key))
        return found if found is not None else self._enablements(info)

    async def _enablements(self, info: Info[Context, None]) -> Sequence[Enablement]:
        with_updates = reads_updates(list_item_fields(info))
        carriers = [self.row_id]
        (found,) = await resolve.enablements_of_carriers(info.context, carriers, with_updates=with_updates)
        return enablements(info.context, found)

    @strawberry.field(
        description="The carrier's API keys, oldest first unless `orderBy` says otherwise; `filter` finds "
        "keys by text, status, expiry, scope or lack of use.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
        graphql_type=Connection[Annotated["ApiKey", strawberry.lazy("schema.api_key")]],
    )
    def api_keys(
        self,
        info: Info[Context, None],
        filter: ApiKeyFilter | None = None,
        order_by: ApiKeyOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiKey] | Awaitable[Connection[ApiKey]]:
        if filter is None and order_by is None:
            found = self.prefetched.get(str(info.path.key))
            if found is not None:
                return found  # type: ignore[no-any-return]
        return self._api_keys(info, filter, order_by, PageArgs(first, after, last, before))

    async def _api_keys(
        self,
        info: Info[Context, None],
        filter: ApiKeyFilter | None,
        order_by: ApiKeyOrder | None,
        page_args: PageArgs,
    ) -> Connection[ApiKey]:
        from schema.api_key import ApiKey, api_key_columns, api_key_cursor, key_listing  # mutual reference

        listing, descending = key_listing(info.context, filter, order_by)
        (page,) = await resolve.api_keys_of_carriers(
            info.context,
            [self.row_id],
            listing,
            descending=descending,
            page_args=page_args,
            columns=api_key_columns(connection_item_fields(info), listing.order),
        )
        now = info.context.now()
        return connection(page, ApiKey.views(now), api_key_cursor(listing, descending))

    activity = connection_field(
        lambda info, carrier, page_args: _activity_page(info.context, carrier.row_id, page_args),
        ActivityEvent.from_row,
        activity_cursor,
        graphql_type=Connection[ActivityEvent],
        description="What happened to this carrier, newest first.",
        directives=[RequiresScope(scope=Scope.ACTIVITY_READ)],
    )


async def _activity_page(context: Context, carrier_id: uuid.UUID, page_args: PageArgs) -> Page[ActivityRow]:
    (page,) = await resolve.activity_of_carriers(context, [carrier_id], page_args=page_args)
    return page


async def carrier_of(context: Context, carrier_id: uuid.UUID | None) -> Carrier | None:
    """The carrier another object names (a key's, an event's, a change's): null when it names none or
    the carrier is out of the caller's reach."""
    row = await resolve.carrier_by_id(context, carrier_id)
    return Carrier.from_row(row) if row else None


def carrier_cursor(row: CarrierRow) -> Cursor:
    return Cursor("carriers", row.code, row.id)
