"""createFeature: a new entry in the catalogue (staff)."""

from __future__ import annotations

from context import Context
from db import features
from db.features import FeatureRow
from resolvers import events, validation
from resolvers.errors import Conflict


async def create_feature(
    context: Context, *, key: str, name: str, description: str, default_enabled: bool
) -> FeatureRow:
    key = validation.feature_key(key, field="key")
    name = validation.text(name, field="name", label="A feature's name")
    description = validation.feature_description(description)
    async with context.changing() as change:
        feature = await validation.unless_taken(
            features.insert(
                change.conn, key=key, name=name, description=description, default_enabled=default_enabled
            ),
            Conflict(f"The catalogue already has a feature {key!r}.", field="key"),
        )
        await change.record(events.feature("feature.create", after=feature))
    return feature
