"""The ApiKey type: a credential for one integration of one carrier. Never the secret, never its hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from access.principal import Scope
from db.api_keys import ApiKeyRow
from db.pagination import Cursor
from resolvers import api_keys as resolve
from resolvers.carriers import carrier_by_id
from schema.actor import Actor
from schema.context import Context
from schema.enums import ApiKeyScope, ApiKeyStatus
from schema.node import Node, to_global_id

if TYPE_CHECKING:
    from schema.carrier import Carrier


@strawberry.type(
    description="A credential an integration of one carrier (an ERP, a warehouse system) calls the API "
    "with. The secret is shown once, when the key is created; afterwards `hint` identifies it."
)
class ApiKey(Node):
    description: str = strawberry.field(description="What the key is for, e.g. 'Production ERP integration'.")
    hint: str = strawberry.field(description="The key's prefix and last characters, e.g. `cak_live_…Xy12`.")
    environment: str = strawberry.field(description="`live` or `test`, as in the key's prefix.")
    scopes: list[ApiKeyScope] = strawberry.field(description="What the key may read or do.")
    ip_allowlist: list[str] = strawberry.field(
        description="Addresses and CIDR ranges (IPv4, IPv6) the key works from; empty means any."
    )
    expires_at: datetime | None = strawberry.field(description="When the key stops working; null: never.")
    status: ApiKeyStatus = strawberry.field(description="ACTIVE, EXPIRED or REVOKED, as of this request.")
    created_at: datetime = strawberry.field(description="When the key was issued.")
    created_by: Actor = strawberry.field(description="Who issued the key.")
    revoked_at: datetime | None = strawberry.field(
        description="When the key was (or, after a rotation, will be) revoked."
    )
    revoked_by: Actor | None = strawberry.field(description="Who revoked (or rotated) the key.")
    revocation_reason: str | None = strawberry.field(description="Why the key was revoked.")
    last_used_at: datetime | None = strawberry.field(
        description="When the key last authenticated a request (recorded at most once a minute)."
    )
    last_used_address: str | None = strawberry.field(description="The client address of that request.")
    version: int = strawberry.field(description="Incremented on every change.")
    row_id: strawberry.Private[uuid.UUID]
    carrier_id: strawberry.Private[uuid.UUID]
    rotated_from_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: ApiKeyRow, now: datetime) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", row.id),
            description=row.description,
            hint=row.hint,
            environment=row.environment,
            scopes=[SCOPES[s] for s in row.scopes],
            ip_allowlist=[str(n) for n in row.ip_allowlist],
            expires_at=row.expires_at,
            status=row.status(now),
            created_at=row.created_at,
            created_by=Actor.of(row.created_by_kind, row.created_by_id, row.created_by_name),  # type: ignore[arg-type]
            revoked_at=row.revoked_at,
            revoked_by=Actor.of(row.revoked_by_kind, row.revoked_by_id, row.revoked_by_name),
            revocation_reason=row.revoked_reason,
            last_used_at=row.last_used_at,
            last_used_address=row.last_used_address,
            version=row.version,
            row_id=row.id,
            carrier_id=row.carrier_id,
            rotated_from_id=row.rotated_from_id,
        )

    @strawberry.field(description="The carrier the key belongs to.")
    async def carrier(
        self, info: Info[Context, None]
    ) -> Annotated[Carrier, strawberry.lazy("schema.carrier")] | None:
        from schema.carrier import Carrier  # the two types refer to each other

        row = await carrier_by_id(info.context, self.carrier_id)
        return Carrier.from_row(row) if row else None

    @strawberry.field(description="The key this one replaced in a rotation; null if it was issued new.")
    async def rotated_from(self, info: Info[Context, None]) -> ApiKey | None:
        row = await resolve.api_key_by_row_id(info.context, self.rotated_from_id)
        return ApiKey.from_row(row, info.context.now()) if row else None


# Enum lookup by value is slow for thousands of keys per request; a dict is not.
SCOPES = {scope.value: scope for scope in Scope}


def api_key_cursor(row: ApiKeyRow) -> Cursor:
    return Cursor("apiKeys", row.created_at.isoformat(), row.id)
