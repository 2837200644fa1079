"""The query root: where every read of the graph starts."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import carriers
from schema.carrier import Carrier
from schema.context import Context


@strawberry.type(description="Read the organization → carrier → enablements/keys graph.")
class Query:
    @strawberry.field(description="Carriers the caller can see, ordered by code.")
    async def carriers(self, info: Info[Context, None]) -> list[Carrier]:
        return [Carrier.from_row(r) for r in await carriers.list_carriers(info.context)]

    @strawberry.field(description="One carrier by its code (case-insensitive); null when not found.")
    async def carrier(self, info: Info[Context, None], code: str) -> Carrier | None:
        row = await carriers.carrier_by_code(info.context, code)
        return Carrier.from_row(row) if row else None
