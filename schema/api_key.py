"""The ApiKey type: a credential for one integration of one carrier. Never the secret, never its hash."""

from __future__ import annotations

import enum
import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.api_keys import ApiKeyRow, KeyListing, KeyOrder, KeyStatus
from db.key_refusals import RefusalRow
from db.pagination import Cursor
from fastgraph import RowView
from resolvers import api_keys as resolve
from resolvers import key_policy
from resolvers.global_ids import to_global_id
from resolvers.key_usage import usage_of
from schema.actor import Actor
from schema.api_key_policy import ApiKeyPolicyGap
from schema.directives import RequiresScope
from schema.enums import ApiKeyKind, ApiKeyScope, ApiKeyStatus
from schema.inputs import ApiKeyFilter, ApiKeyOrder, OrderDirection
from schema.key_usage import INTERVALS, ApiKeyUsageBucket, ApiKeyUsageInterval
from schema.node import Node
from schema.row_fields import reads
from schema.selection import CURSORS

if TYPE_CHECKING:
    from schema.carrier import Carrier


@strawberry.enum(description="Why a use of an API key was refused.")
class ApiKeyRefusalReason(enum.Enum):
    REVOKED = strawberry.enum_value("REVOKED", description="The key was revoked.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="The key had expired.")
    ADDRESS_NOT_ALLOWED = strawberry.enum_value(
        "ADDRESS_NOT_ALLOWED", description="From an address outside the key's allowlist."
    )
    MISSING_SCOPE = strawberry.enum_value(
        "MISSING_SCOPE", description="For something its scopes do not cover (`detail` names the field)."
    )
    API_ACCESS_DISABLED = strawberry.enum_value(
        "API_ACCESS_DISABLED", description="While the carrier's API access feature was off."
    )


# Enum lookup by value is slow for thousands of keys per request; a dict is not.
SCOPES = {scope.value: scope for scope in Scope}


@strawberry.type(description="Refused uses of a key for one reason within one minute.")
class ApiKeyRefusal:
    reason: ApiKeyRefusalReason = strawberry.field(description="Why they were refused.")
    first_at: datetime = strawberry.field(description="The first refusal in that minute.")
    last_at: datetime = strawberry.field(description="The last refusal in that minute.")
    count: int = strawberry.field(description="How many there were.")
    client_address: str | None = strawberry.field(description="The address the last one came from.")
    detail: str | None = strawberry.field(description="For a missing scope: the field that needed it.")

    @classmethod
    def of(cls, row: RefusalRow) -> ApiKeyRefusal:
        return cls(
            reason=ApiKeyRefusalReason(row.reason),
            first_at=row.first_at,
            last_at=row.last_at,
            count=row.refusals,
            client_address=row.client_address,
            detail=row.detail,
        )


@strawberry.type(
    description="A credential an integration of one carrier (an ERP, a warehouse system) calls the API "
    "with. The secret is shown once, when the key is created; afterwards `hint` identifies it.",
    directives=[RequiresScope(scope=Scope.KEYS_READ)],
)
class ApiKey(Node):
    # A view of the row: a page of keys builds one object per key, and each field is computed only
    # when a query selects it (a partner's sync reads thousands of keys for four fields each).
    row: strawberry.Private[ApiKeyRow]
    now: strawberry.Private[datetime]

    @classmethod
    def from_row(cls, row: ApiKeyRow, now: datetime) -> ApiKey:
        return cls(row=row, now=now)

    @classmethod
    def views(cls, now: datetime) -> RowView[ApiKey]:
        """Keys as of `now`, for a page: the fast path builds a page's response from its rows."""
        return RowView(cls, "now", now)

    @property
    def row_id(self) -> uuid.UUID:
        return self.row.id

    @property
    def carrier_id(self) -> uuid.UUID | None:
        return self.row.carrier_id

    # The interface's id, computed when selected (a resolver may stand in for Node's attribute).
    id: strawberry.ID = reads(
        "row.id",
        via=functools.partial(to_global_id, "ApiKey"),
        description="Opaque global id; pass it to `node(id:)` or to any argument taking this type.",
    )

    description: str = reads(
        "row.description", description="What the key is for, e.g. 'Production ERP integration'."
    )

    hint: str = reads("row.hint", description="The key's prefix and last characters, e.g. `cak_live_…Xy12`.")

    environment: str = reads("row.environment", description="`live` or `test`, as in the key's prefix.")

    scopes: list[ApiKeyScope] = reads("row.scopes", each=SCOPES, description="What the key may read or do.")

    ip_allowlist: list[str] = reads(
        "row.allowlist",
        description="Addresses and CIDR ranges (IPv4, IPv6) the key works from; empty means any.",
    )

    expires_at: datetime | None = reads(
        "row.expires_at", description="When the key stops working; null: never."
    )

    status: ApiKeyStatus = reads(
        "row.status", call_with="now", description="ACTIVE, EXPIRED or REVOKED, as of this request."
    )

    created_at: datetime = reads("row.created_at", description="When the key was issued.")

    @strawberry.field(description="Who issued the key.")
    def created_by(self) -> Actor:
        row = self.row
        return Actor.of(row.created_by_kind, row.created_by_id, row.created_by_name)  # type: ignore[return-value]

    revoked_at: datetime | None = reads(
        "row.revoked_at", description="When the key was (or, after a rotation, will be) revoked."
    )

    @strawberry.field(description="Who revoked (or rotated) the key.")
    def revoked_by(self) -> Actor | None:
        row = self.row
        return Actor.of(row.revoked_by_kind, row.revoked_by_id, row.revoked_by_name)

    revocation_reason: str | None = reads("row.revoked_reason", description="Why the key was revoked.")

    last_used_at: datetime | None = reads(
        "row.last_used_at",
        description="When the key last authenticated a request (recorded at most once a minute).",
    )

    last_used_address: str | None = reads(
        "row.last_used_address", description="The client address of that request."
    )

    version: int = reads("row.version", description="Incremented on every change.")

    @strawberry.field(
        description="Refused uses of the key, newest first: one entry per reason and minute, with how many "
        "(revoked, expired, from outside the allowlist, missing a scope, API access off). Written within "
        "a minute of the refusal."
    )
    async def refusals(self, info: Info[Context, None], first: int = 10) -> list[ApiKeyRefusal]:
        return [ApiKeyRefusal.of(row) for row in await resolve.refusals_of(info.context, self.row.id, first)]

    @strawberry.field(description="The latest refused use of the key, if any (see `refusals`).")
    async def last_refusal(self, info: Info[Context, None]) -> ApiKeyRefusal | None:
        found = await resolve.refusals_of(info.context, self.row.id, 1)
        return ApiKeyRefusal.of(found[0]) if found else None

    @strawberry.field(
        description="Requests made with the key from `since` to `until` (default: now), every bucket of "
        "`interval` between them (empty ones too), each with its counts by outcome. Counted per hour; "
        "days are UTC. Written within a minute of the requests; kept for `API_KEY_USAGE_RETENTION_DAYS`."
    )
    async def usage(
        self,
        info: Info[Context, None],
        since: datetime,
        until: datetime | None = None,
        interval: ApiKeyUsageInterval = ApiKeyUsageInterval.DAY,
    ) -> list[ApiKeyUsageBucket]:
        found = await usage_of(info.context, self.row.id, since, until, INTERVALS[interval])
        return [ApiKeyUsageBucket.of(bucket) for bucket in found]

    kind: ApiKeyKind = reads(
        "row.kind", description="A carrier's key, or a service key (of no carrier, reading every carrier)."
    )

    @strawberry.field(description="The carrier the key belongs to; null for a service key.")
    async def carrier(
        self, info: Info[Context, None]
    ) -> Annotated[Carrier, strawberry.lazy("schema.carrier")] | None:
        from schema.carrier import carrier_of  # the two types refer to each other

        return await carrier_of(info.context, self.carrier_id)

    @strawberry.field(
        description="How the key falls short of its carrier's key policy as it is now (set or tightened "
        "since "
        "the key was issued or last changed), each with what to do; empty when it meets it, or is not "
        "active. The key keeps working either way."
    )
    async def policy_gaps(self, info: Info[Context, None]) -> list[ApiKeyPolicyGap]:
        if self.row.status(self.now) is not KeyStatus.ACTIVE:
            return []
        limits = await key_policy.for_carrier(info.context, self.row.carrier_id)
        return [ApiKeyPolicyGap.of(gap) for gap in key_policy.gaps(self.row, limits, self.now)]

    @strawberry.field(description="The key this one replaced in a rotation; null if it was issued new.")
    async def rotated_from(self, info: Info[Context, None]) -> ApiKey | None:
        row = await resolve.api_key_by_row_id(info.context, self.row.rotated_from_id)
        return ApiKey.from_row(row, info.context.now()) if row else None


# The row columns each field reads (beyond db.api_keys.ALWAYS): a page of keys reads only those its
# query selects. tests/schema/test_api_key_columns.py checks every field of ApiKey is here.
COLUMNS_BY_FIELD: dict[str, tuple[str, ...]] = {
    CURSORS: (),  # the order's column: api_key_columns adds it
    "__typename": (),
    "id": (),
    "description": ("description",),
    "kind": ("carrier_id",),
    "hint": ("hint",),
    "environment": ("environment",),
    "scopes": ("scopes",),
    "ipAllowlist": ("ip_allowlist",),
    "expiresAt": ("expires_at",),
    "status": ("revoked_at", "expires_at"),
    "createdAt": ("created_at",),
    "createdBy": ("created_by_kind", "created_by_id", "created_by_name"),
    "revokedAt": ("revoked_at",),
    "revokedBy": ("revoked_by_kind", "revoked_by_id", "revoked_by_name"),
    "revocationReason": ("revoked_reason",),
    "lastUsedAt": ("last_used_at",),
    "lastUsedAddress": ("last_used_address",),
    "version": ("version",),
    "carrier": ("carrier_id",),
    "rotatedFrom": ("rotated_from_id",),
    "refusals": (),
    "lastRefusal": (),
    "usage": (),
    "policyGaps": ("carrier_id", "scopes", "ip_allowlist", "expires_at", "revoked_at"),
}


def api_key_columns(fields: frozenset[str], order: KeyOrder) -> frozenset[str] | None:
    """The columns `fields` need in a list sorted by `order`; None (every column) if one of them is not
    in the table above. Cursors (`edges`, `pageInfo`) are made of each key's sort key: the order's column."""
    columns: set[str] = {order.column} if CURSORS in fields else set()
    for name in fields:
        needed = COLUMNS_BY_FIELD.get(name)
        if needed is None:
            return None
        columns.update(needed)
    return frozenset(columns)


def key_listing(
    context: Context,
    where: ApiKeyFilter | None,
    order_by: ApiKeyOrder | None,
) -> tuple[KeyListing, bool]:
    """The list's filter and order from the field's arguments; whether it runs descending."""
    where = where or ApiKeyFilter()
    order_by = order_by or ApiKeyOrder()
    listing = resolve.key_listing(
        context,
        status=where.status,
        search=where.search,
        expiring_within_days=where.expiring_within_days,
        scope=where.scope,
        unused_since=where.unused_since,
        kind=where.kind,
        meets_policy=where.meets_policy,
        order=KeyOrder[order_by.field.name],
    )
    return listing, order_by.direction is OrderDirection.DESC


def api_key_cursor(listing: KeyListing, descending: bool) -> Callable[[ApiKeyRow], Cursor]:
    """How a key's position is written in a list of this order (cursors of another order are refused)."""
    name = resolve.key_list_name(listing, descending)
    order = listing.order
    return lambda row: Cursor(name, order.key_of(row), row.id)
