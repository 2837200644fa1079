"""Reading organizations and their carriers and settings (scoped by the loaders)."""

from __future__ import annotations

import uuid

from context import Context
from db import organizations
from db.carriers import CarrierRow
from db.enablements import OwnerEnablements
from db.loaders import ChildPageKey, EnablementsKey
from db.organizations import OrganizationRow
from db.pagination import Page
from resolvers import filters
from resolvers.loaded import by_id
from resolvers.pages import PageArgs, page_request


async def list_organizations(
    context: Context, search: str | None, page_args: PageArgs
) -> Page[OrganizationRow]:
    page = page_request(context, "organizations", page_args)
    async with context.db.acquire() as conn:
        return await organizations.page(
            conn, reach=context.principal.reach, search=filters.text(search, "search"), page=page
        )


async def organization_by_id(
    context: Context, organization_id: uuid.UUID | None, *, alone: bool = False
) -> OrganizationRow | None:
    return await by_id(context.loaders.organization_by_id, organization_id, alone=alone)


async def carriers_of(context: Context, organization_id: uuid.UUID, page_args: PageArgs) -> Page[CarrierRow]:
    page = page_request(context, "carriers", page_args)
    result: Page[CarrierRow] = await context.loaders.carriers_by_organization_id.load(
        ChildPageKey(organization_id, page)
    )
    return result


async def enablements_of(
    context: Context, organization_id: uuid.UUID, *, with_updates: bool = True
) -> OwnerEnablements:
    found: OwnerEnablements = await context.loaders.enablements_by_organization_id.load(
        EnablementsKey(organization_id, with_updates)
    )
    return found
