"""Reading API keys (scoped by the loaders)."""

from __future__ import annotations

import uuid

from context import Context
from db.api_keys import ApiKeyRow


async def api_key_by_row_id(context: Context, key_id: uuid.UUID | None) -> ApiKeyRow | None:
    if key_id is None:
        return None
    row: ApiKeyRow | None = await context.loaders.api_key_by_id.load(key_id)
    return row
