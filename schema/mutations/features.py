"""The feature catalogue (a restricted function): features added, renamed, their default changed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from context import Context
from db.features import FeatureRow
from resolvers.create_feature import create_feature
from resolvers.update_feature import FeatureUpdated, update_feature
from schema.directives import Restricted
from schema.effective_change import EffectiveChange, effective_changes
from schema.feature import Feature
from schema.mutations.results import EXPECTED_VERSION, forward, mutation, result_union
from schema.user_errors import ConflictError, NotFoundError, ValidationError

CATALOGUE = Restricted(reason="feature catalogue")


@strawberry.input(description="A new catalogue feature.")
class CreateFeatureInput:
    key: str = strawberry.field(description="Stable dotted key, e.g. billing.demurrage.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(default="", description="What the feature does.")
    default_enabled: bool = strawberry.field(default=False, description="Value for carriers that inherit.")


@strawberry.input(description="Changes to a catalogue feature; omitted fields stay as they are.")
class UpdateFeatureInput:
    id: strawberry.ID = strawberry.field(description="The feature.")
    name: str | None = strawberry.field(default=None, description="Display name.")
    description: str | None = strawberry.field(default=None, description="What the feature does.")
    default_enabled: bool | None = strawberry.field(
        default=None, description="Value for carriers that inherit."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="The catalogue feature after the change.")
class FeaturePayload:
    feature: Feature = strawberry.field(description="The feature.")
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Carriers whose effective value changed because the default did."
    )


CreateFeatureResult = Annotated[
    FeaturePayload | ValidationError | ConflictError, result_union("CreateFeatureResult")
]
UpdateFeatureResult = Annotated[
    FeaturePayload | NotFoundError | ValidationError | ConflictError, result_union("UpdateFeatureResult")
]


def created_payload(_context: Context, row: FeatureRow) -> FeaturePayload:
    return FeaturePayload(feature=Feature.from_row(row), effective_changes=[])


def updated_payload(_context: Context, result: FeatureUpdated) -> FeaturePayload:
    return FeaturePayload(
        feature=Feature.from_row(result.feature), effective_changes=effective_changes(result.changes)
    )


@strawberry.type
class FeatureMutations:
    create_feature = mutation(
        "Add a feature to the catalogue.",
        guard=CATALOGUE,
        takes=CreateFeatureInput,
        answers=CreateFeatureResult | None,
        run=forward(create_feature),
        payload=created_payload,
    )
    update_feature = mutation(
        "Change a catalogue feature's name, description or default.",
        guard=CATALOGUE,
        takes=UpdateFeatureInput,
        answers=UpdateFeatureResult | None,
        run=forward(update_feature, id="feature_id"),
        payload=updated_payload,
    )
