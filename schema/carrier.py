"""The Carrier type: a rail operator, the tenant everything else hangs off."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.carriers import CarrierRow
from schema.node import Node, to_global_id


@strawberry.type(description="A rail operator or business (BNSF, UP, a short line): the tenant.")
class Carrier(Node):
    code: str = strawberry.field(description="Short upper-case code, unique across carriers.")
    name: str = strawberry.field(description="Display name.")
    version: int = strawberry.field(
        description="Incremented on every change; pass it as `expectedVersion` to detect edits "
        "made by someone else in the meantime."
    )
    created_at: datetime = strawberry.field(description="When the carrier was created.")
    updated_at: datetime = strawberry.field(description="When the carrier last changed.")

    @classmethod
    def from_row(cls, row: CarrierRow) -> Carrier:
        return cls(
            id=to_global_id("Carrier", row.id),
            code=row.code,
            name=row.name,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
