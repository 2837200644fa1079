"""Reading the feature catalogue (the same for every caller)."""

from __future__ import annotations

from db import features
from db.features import FeatureRow
from schema.context import Context


async def list_features(context: Context) -> list[FeatureRow]:
    async with context.db.acquire() as conn:
        return await features.all_features(conn)
