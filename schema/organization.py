"""The Organization type: an umbrella over several carriers, with shared settings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.key_policies import KeyPolicyRow
from db.organizations import OrganizationRow
from db.pagination import Cursor
from resolvers import key_policy
from resolvers import organizations as resolve
from resolvers.global_ids import to_global_id
from schema.api_key_policy import ApiKeyPolicy, KeyPolicySettings, PolicyOwner
from schema.carrier import Carrier, carrier_cursor
from schema.connection import Connection, connection_field
from schema.directives import RequiresScope
from schema.enablement import Enablement, enablements, reads_updates
from schema.node import Node
from schema.prefetch import prefetch_children
from schema.selection import list_item_fields


@strawberry.type(
    description="Groups several carriers under shared settings and access.",
    directives=[RequiresScope(scope=Scope.CARRIER_READ)],
)
class Organization(Node):
    name: str = strawberry.field(description="Display name, unique regardless of case.")
    version: int = strawberry.field(
        description="Incremented on every change; pass it as `expectedVersion` to detect edits "
        "made by someone else in the meantime."
    )
    created_at: datetime = strawberry.field(description="When the organization was created.")
    updated_at: datetime = strawberry.field(description="When the organization last changed.")
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: OrganizationRow) -> Organization:
        return cls(
            id=to_global_id("Organization", row.id),
            name=row.name,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row_id=row.id,
        )

    carriers = connection_field(
        lambda info, organization, page_args: resolve.carriers_of(
            info.context, organization.row_id, page_args=page_args
        ),
        Carrier.from_row,
        carrier_cursor,
        graphql_type=Connection[Carrier],
        description="The organization's carriers (those the caller can see), by code.",
        then=prefetch_children,
    )

    @strawberry.field(
        description="Every catalogue feature at organization level: the organization's own setting "
        "and the value its carriers inherit unless they override it.",
        directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
    )
    async def enablements(self, info: Info[Context, None]) -> Sequence[Enablement]:
        with_updates = reads_updates(list_item_fields(info))
        found = await resolve.enablements_of(info.context, self.row_id, with_updates=with_updates)
        return enablements(info.context, found)

    @strawberry.field(
        description="The API key policy the organization's carriers follow before any carrier's own "
        "tightening: the strictest of the platform's and the organization's, each rule with its level.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def api_key_policy(self, info: Info[Context, None]) -> ApiKeyPolicy:
        limits = key_policy.of_organization(info.context.settings, await self._own_policy(info))
        return ApiKeyPolicy.of(info.context.settings, limits, PolicyOwner(self.row_id, organization=True))

    @strawberry.field(
        description="What the organization itself sets for its carriers' keys (setOrganizationKeyPolicy); "
        "null values leave the platform's rule.",
        directives=[RequiresScope(scope=Scope.KEYS_READ)],
    )
    async def own_key_policy(self, info: Info[Context, None]) -> KeyPolicySettings:
        return KeyPolicySettings.of(await self._own_policy(info))

    async def _own_policy(self, info: Info[Context, None]) -> KeyPolicyRow | None:
        own: KeyPolicyRow | None = await info.context.loaders.key_policy_by_organization_id.load(self.row_id)
        return own


def organization_cursor(row: OrganizationRow) -> Cursor:
    return Cursor("organizations", row.name, row.id)
