"""createFeature: a new entry in the catalogue (staff)."""

from __future__ import annotations

from asyncpg import UniqueViolationError

from context import Context
from db import features
from db.activity import Event
from db.features import FeatureRow
from resolvers import snapshots, validation
from resolvers.errors import Conflict


async def create_feature(
    context: Context, *, key: str, name: str, description: str, default_enabled: bool
) -> FeatureRow:
    key = validation.feature_key(key, field="key")
    name = validation.text(name, field="name", label="A feature's name")
    description = validation.text(
        description,
        field="description",
        label="A description",
        max_length=2000,
        required=False,
        multiline=True,
    )
    async with context.changing() as change:
        conn = change.conn
        try:
            feature = await features.insert(
                conn, key=key, name=name, description=description, default_enabled=default_enabled
            )
        except UniqueViolationError:
            raise Conflict(f"The catalogue already has a feature {key!r}.", field="key") from None
        await change.record(
            Event(
                action="feature.create",
                target_type="Feature",
                target_id=feature.id,
                after=snapshots.feature(feature),
            ),
        )
    return feature
