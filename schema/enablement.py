"""One feature's setting and effective value for a carrier or an organization."""

from __future__ import annotations

from datetime import datetime

import strawberry

from access.principal import Scope
from context import Context
from db.enablements import SOURCES, STATES, EnablementRow, EnablementState, OwnerEnablements
from db.features import FeatureRow
from fastgraph import RowView, RowViews
from schema.actor import Actor
from schema.directives import RequiresScope
from schema.enums import EnablementSource
from schema.feature import Feature
from schema.row_fields import reads


@strawberry.type(
    description="A feature for one carrier (or organization): the setting made here, the value in "
    "effect, and which level that value comes from.",
    directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
)
class Enablement:
    # A view of the row: a nested query reads one per carrier and feature. Its feature is one of the
    # catalogue the row was read with, made once for every owner of the batch (`features`).
    row: strawberry.Private[EnablementRow]
    features: strawberry.Private[dict[str, Feature]]

    feature: Feature = reads("row.feature_key", looked_up_in="features", description="The feature.")

    state: EnablementState = reads(
        "row.setting",
        through=STATES,
        description="The setting made at this level; INHERIT when there is none.",
    )

    effective: bool = reads("row.effective", description="Whether the feature is on, all levels considered.")

    source: EnablementSource = reads(
        "row.source_name", through=SOURCES, description="Which level `effective` comes from."
    )

    updated_at: datetime | None = reads(
        "row.updated_at", description="When this level's setting last changed; null while it inherits."
    )

    @strawberry.field(description="Who last changed this level's setting; null while it inherits.")
    def updated_by(self) -> Actor | None:
        row = self.row
        return Actor.of(row.updated_by_kind, row.updated_by_id, row.updated_by_name)


# The fields that read nothing of who changed a setting: a query selecting only these reads the
# enablements without their updated_* columns.
WITHOUT_UPDATES = frozenset({"__typename", "feature", "state", "effective", "source"})


def reads_updates(fields: frozenset[str]) -> bool:
    return not fields <= WITHOUT_UPDATES


def enablements(context: Context, found: OwnerEnablements) -> RowViews[Enablement]:
    """The owner's enablements, each with its feature: one Feature object per feature of a catalogue
    read, made with the first owner of its batch (the 50 carriers of a nested query share one). Views
    made when read: the fast path builds a nested query's enablements from their rows."""
    views = _feature_views(context, found.features)
    return RowViews(found.rows, RowView(Enablement, "features", views))


def _feature_views(context: Context, catalogue: dict[str, FeatureRow]) -> dict[str, Feature]:
    kept = context.feature_views.get(id(catalogue))
    if kept is None or kept[0] is not catalogue:  # kept with its catalogue: the id is not reused meanwhile
        views = {feature_key: Feature.from_row(row) for feature_key, row in catalogue.items()}
        kept = context.feature_views[id(catalogue)] = (catalogue, views)
    return kept[1]
