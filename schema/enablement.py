"""One feature's setting and effective value for a carrier or an organization."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.enablements import EnablementRow
from schema.actor import Actor
from schema.enums import EnablementSource, EnablementState
from schema.feature import Feature


@strawberry.type(
    description="A feature for one carrier (or organization): the setting made here, the value in "
    "effect, and which level that value comes from."
)
class Enablement:
    feature: Feature = strawberry.field(description="The feature.")
    state: EnablementState = strawberry.field(
        description="The setting made at this level; INHERIT when there is none."
    )
    effective: bool = strawberry.field(description="Whether the feature is on, all levels considered.")
    source: EnablementSource = strawberry.field(description="Which level `effective` comes from.")
    updated_at: datetime | None = strawberry.field(
        description="When this level's setting last changed; null while it inherits."
    )
    updated_by: Actor | None = strawberry.field(
        description="Who last changed this level's setting; null while it inherits."
    )

    @classmethod
    def from_row(cls, row: EnablementRow) -> Enablement:
        return cls(
            feature=Feature.from_row(row.feature),
            state=EnablementState.from_setting(row.setting),
            effective=row.effective,
            source=row.source,
            updated_at=row.updated_at,
            updated_by=Actor.of(row.updated_by_kind, row.updated_by_id, row.updated_by_name),
        )
