"""Reading API keys (scoped by the loaders)."""

from __future__ import annotations

import uuid

from context import Context
from db.api_keys import ApiKeyRow
from db.key_refusals import RefusalRow
from resolvers.errors import BadUserInput


async def api_key_by_row_id(context: Context, key_id: uuid.UUID | None) -> ApiKeyRow | None:
    if key_id is None:
        return None
    row: ApiKeyRow | None = await context.loaders.api_key_by_id.load(key_id)
    return row


async def refusals_of(context: Context, key_id: uuid.UUID, first: int) -> list[RefusalRow]:
    """The key's latest refused uses, newest first (at most MAX_PAGE_SIZE)."""
    cap = context.settings.max_page_size
    if not 0 <= first <= cap:
        raise BadUserInput(f"`first` must be between 0 and {cap}; got {first}.", argument="first")
    rows: list[RefusalRow] = await context.loaders.refusals_by_key_id.load((key_id, first))
    return rows
