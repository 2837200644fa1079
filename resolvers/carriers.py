"""Reading carriers: the root `carriers` list and `carrier(code:)`."""

from __future__ import annotations

from db import carriers
from db.carriers import CarrierFilter, CarrierRow
from db.pagination import PageRequest
from schema.context import Context


async def list_carriers(context: Context) -> list[CarrierRow]:
    async with context.db.acquire() as conn:
        page = await carriers.page(
            conn, scope=context.principal.scope, where=CarrierFilter(), page=PageRequest(limit=100)
        )
    return page.rows


async def carrier_by_code(context: Context, code: str) -> CarrierRow | None:
    row: CarrierRow | None = await context.loaders.carrier_by_code.load(code.strip().upper())
    return row
