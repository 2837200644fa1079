"""Reading the feature catalogue (the same for every caller)."""

from __future__ import annotations

import uuid

from context import Context
from db import features
from db.features import FeatureRow


async def list_features(context: Context) -> list[FeatureRow]:
    async with context.db.acquire() as conn:
        return await features.all_features(conn)


async def feature_by_id(context: Context, feature_id: uuid.UUID) -> FeatureRow | None:
    row: FeatureRow | None = await context.loaders.feature_by_id.load(feature_id)
    return row
