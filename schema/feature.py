"""A feature of the vendor's catalogue."""

from __future__ import annotations

from datetime import datetime

import strawberry

from access.principal import Scope
from db.features import FeatureRow
from resolvers.global_ids import to_global_id
from schema.directives import RequiresScope
from schema.node import Node


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

    @strawberry.field(description="Stable key, e.g. `inventory.waybills`.")
    def key(self) -> str:
        return self.row.key

    @strawberry.field(description="Display name.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="What the feature does.")
    def description(self) -> str:
        return self.row.description

    @strawberry.field(
        description="The value for carriers whose organization and own settings both say INHERIT."
    )
    def default_enabled(self) -> bool:
        return self.row.default_enabled

    @strawberry.field(description="Incremented on every change.")
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description="When the feature entered the catalogue.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="When the feature last changed.")
    def updated_at(self) -> datetime:
        return self.row.updated_at
