"""Reading carriers and what hangs off them. Rows come from the per-request loaders (scoped)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from context import Context
from db import carriers
from db.activity import ActivityRow
from db.api_keys import ApiKeyRow, KeyListing
from db.carriers import CarrierFilter, CarrierRow
from db.enablements import OwnerEnablements
from db.loaders import ChildPageKey, EnablementsKey
from db.organizations import OrganizationRow
from db.pagination import Page
from resolvers import filters
from resolvers.api_keys import key_list_name
from resolvers.loaded import by_id, one
from resolvers.pages import PageArgs, page_request


async def list_carriers(context: Context, where: CarrierFilter, page_args: PageArgs) -> Page[CarrierRow]:
    page = page_request(context, "carriers", page_args)
    where = replace(where, search=filters.text(where.search, "search"))
    async with context.db.acquire() as conn:
        return await carriers.page(conn, reach=context.principal.reach, where=where, page=page)


async def carrier_by_code(context: Context, code: str, *, alone: bool = False) -> CarrierRow | None:
    """`alone`: the operation's only root field asks (resolvers/loaded.one)."""
    checked = filters.text(code, "code") or ""
    return await one(context.loaders.carrier_by_code, checked.strip().upper(), alone=alone)


async def carrier_by_id(
    context: Context, carrier_id: uuid.UUID | None, *, alone: bool = False
) -> CarrierRow | None:
    return await by_id(context.loaders.carrier_by_id, carrier_id, alone=alone)


async def organizations_of(
    context: Context, organization_ids: Sequence[uuid.UUID | None]
) -> list[OrganizationRow | None]:
    """Each carrier's organization (None for a carrier in none), in the order of `organization_ids`."""
    wanted = [organization_id for organization_id in organization_ids if organization_id is not None]
    rows: list[OrganizationRow | None] = await context.loaders.organization_by_id.load_all(wanted)
    found = iter(rows)
    return [None if organization_id is None else next(found) for organization_id in organization_ids]


async def enablements_of(
    context: Context, carrier_id: uuid.UUID, *, with_updates: bool = True
) -> OwnerEnablements:
    (found,) = await enablements_of_carriers(context, [carrier_id], with_updates=with_updates)
    return found


async def enablements_of_carriers(
    context: Context, carrier_ids: Sequence[uuid.UUID], *, with_updates: bool = True
) -> list[OwnerEnablements]:
    found: list[OwnerEnablements] = await context.loaders.enablements_by_carrier_id.load_all(
        [EnablementsKey(carrier_id, with_updates) for carrier_id in carrier_ids]
    )
    return found


async def api_keys_of_carriers(
    context: Context,
    carrier_ids: Sequence[uuid.UUID],
    listing: KeyListing,
    *,
    descending: bool = False,
    page_args: PageArgs,
    columns: frozenset[str] | None = None,
) -> list[Page[ApiKeyRow]]:
    """One page of keys per carrier, the same page (arguments) for each."""
    name = key_list_name(listing, descending)
    page = page_request(context, name, page_args, descending=descending)
    result: list[Page[ApiKeyRow]] = await context.loaders.api_keys_by_carrier_id.load_all(
        [ChildPageKey(carrier_id, page, listing, columns) for carrier_id in carrier_ids]
    )
    return result


async def activity_of_carriers(
    context: Context, carrier_ids: Sequence[uuid.UUID], page_args: PageArgs
) -> list[Page[ActivityRow]]:
    """One page of activity per carrier, the same page (arguments) for each."""
    page = page_request(context, "activity", page_args)
    result: list[Page[ActivityRow]] = await context.loaders.activity_by_carrier_id.load_all(
        [ChildPageKey(carrier_id, page) for carrier_id in carrier_ids]
    )
    return result
