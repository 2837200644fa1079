"""A feature of the vendor's catalogue."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.features import FeatureRow
from schema.node import Node, to_global_id


@strawberry.type(
    description="A product capability from the vendor's catalogue that can be switched on or off."
)
class Feature(Node):
    key: str = strawberry.field(description="Stable key, e.g. `inventory.waybills`.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(description="What the feature does.")
    default_enabled: bool = strawberry.field(
        description="The value for carriers whose organization and own settings both say INHERIT."
    )
    version: int = strawberry.field(description="Incremented on every change.")
    created_at: datetime = strawberry.field(description="When the feature entered the catalogue.")
    updated_at: datetime = strawberry.field(description="When the feature last changed.")

    @classmethod
    def from_row(cls, row: FeatureRow) -> Feature:
        return cls(
            id=to_global_id("Feature", row.id),
            key=row.key,
            name=row.name,
            description=row.description,
            default_enabled=row.default_enabled,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
