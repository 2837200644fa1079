"""What a change did to a carrier's effective feature values: the consequence shown to a person."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from resolvers.changes import EffectiveChange as Change
from resolvers.features import feature_by_id
from schema.carrier import Carrier, carrier_of
from schema.directives import RequiresScope
from schema.enums import EnablementSource
from schema.feature import Feature


@strawberry.type(
    description="A feature whose effective value changed for a carrier because of this mutation.",
    directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
)
class EffectiveChange:
    before: bool = strawberry.field(description="Effective value before the change.")
    after: bool = strawberry.field(description="Effective value after the change.")
    source: EnablementSource = strawberry.field(description="Where the new value comes from.")
    change: strawberry.Private[Change]

    @classmethod
    def of(cls, change: Change) -> EffectiveChange:
        return cls(before=change.before, after=change.after, source=change.source, change=change)

    @strawberry.field(description="The carrier.")
    async def carrier(self, info: Info[Context, None]) -> Carrier | None:
        return await carrier_of(info.context, self.change.carrier_id)

    @strawberry.field(description="The feature.")
    async def feature(self, info: Info[Context, None]) -> Feature | None:
        row = await feature_by_id(info.context, self.change.feature_id)
        return Feature.from_row(row) if row else None


def effective_changes(changes: list[Change]) -> list[EffectiveChange]:
    return [EffectiveChange.of(c) for c in changes]
