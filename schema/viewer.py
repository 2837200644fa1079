"""Who is signed in, and what they may do: the frontend shows the restricted-functions banner from it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from access.principal import Principal, Scope
from context import Context
from db.carriers import CarrierFilter
from resolvers.carrier_facts import service_key_facts
from resolvers.carriers import list_carriers
from resolvers.errors import SUPPORT
from resolvers.organizations import list_organizations
from schema.carrier import Carrier, carrier_cursor
from schema.connection import Connection, connection_field
from schema.directives import RequiresScope
from schema.enums import ActorKind, ApiKeyScope
from schema.organization import Organization, organization_cursor
from schema.permissions import Permission, viewer_permissions

RESTRICTED_NOTICE = (
    "Organization changes, feature enablements and the feature catalogue are restricted functions "
    f"for platform staff. {SUPPORT}"
)


@strawberry.type(description="The caller of this request, as the server authenticated it.")
class Viewer:
    kind: ActorKind = strawberry.field(description="STAFF, ADMIN, API_KEY or ANONYMOUS.")
    id: str | None = strawberry.field(description="The person's subject, or the API key's id.")
    name: str | None = strawberry.field(description="The person's name, or the API key's description.")
    email: str | None = strawberry.field(description="The person's email, when the token carries one.")
    is_staff: bool = strawberry.field(description="Whether the caller is platform staff.")
    scopes: list[ApiKeyScope] = strawberry.field(
        description="What the caller may read or do (an API key's scopes; people hold all of them)."
    )
    can_use_restricted_functions: bool = strawberry.field(
        description="Whether fields marked @restricted will answer; false means show the banner."
    )
    restricted_functions_notice: str | None = strawberry.field(
        description="The banner text to show when restricted functions are unavailable."
    )
    reaches_all_carriers: bool = strawberry.field(description="Whether every carrier is in reach (staff).")

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        return cls(
            kind=principal.kind,
            id=principal.id,
            name=principal.name,
            email=principal.email,
            is_staff=principal.is_staff,
            scopes=sorted(principal.scopes, key=lambda scope: scope.value),
            can_use_restricted_functions=principal.is_staff,
            restricted_functions_notice=None if principal.is_staff else RESTRICTED_NOTICE,
            reaches_all_carriers=principal.reach.everything,
        )

    @strawberry.field(
        description="Every operation (mutations, restricted queries, the CSV exports) and whether the "
        "caller may perform it now; `Carrier.permissions` says so for one carrier."
    )
    async def permissions(self, info: Info[Context, None]) -> list[Permission]:
        return viewer_permissions(info, await service_key_facts(info.context))

    carriers = connection_field(
        lambda info, _, page_args: list_carriers(info.context, CarrierFilter(), page_args=page_args),
        Carrier.from_row,
        carrier_cursor,
        graphql_type=Connection[Carrier],
        description="The carriers in the caller's reach, by code.",
        directives=[RequiresScope(scope=Scope.CARRIER_READ)],
    )

    organizations = connection_field(
        lambda info, _, page_args: list_organizations(info.context, None, page_args=page_args),
        Organization.from_row,
        organization_cursor,
        graphql_type=Connection[Organization],
        description="The organizations in the caller's reach, by name.",
        directives=[RequiresScope(scope=Scope.CARRIER_READ)],
    )
