"""A feature of the vendor's catalogue."""

from __future__ import annotations

from datetime import datetime

import strawberry

from access.principal import Scope
from db.features import FeatureRow
from resolvers.global_ids import to_global_id
from schema.directives import RequiresScope
from schema.node import Node
from schema.row_fields import reads


@strawberry.type(
    description="A product capability from the vendor's catalogue that can be switched on or off.",
    directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
)
class Feature(Node):
    # A view of the row: an organization's carriers list the catalogue once each, and most queries
    # read a field or two of it.
    row: strawberry.Private[FeatureRow]

    @classmethod
    def from_row(cls, row: FeatureRow) -> Feature:
        return cls(row=row)  # type: ignore[call-arg]

    @strawberry.field(  # type: ignore[misc]
        description="Opaque global id; pass it to `node(id:)` or to any argument taking this type."
    )
    def id(self) -> strawberry.ID:
        return to_global_id("Feature", self.row.id)

    key: str = reads("row.key", description="Stable key, e.g. `inventory.waybills`.")

    name: str = reads("row.name", description="Display name.")

    description: str = reads("row.description", description="What the feature does.")

    default_enabled: bool = reads(
        "row.default_enabled",
        description="The value for carriers whose organization and own settings both say INHERIT.",
    )

    version: int = reads("row.version", description="Incremented on every change.")

    created_at: datetime = reads("row.created_at", description="When the feature entered the catalogue.")

    updated_at: datetime = reads("row.updated_at", description="When the feature last changed.")
