"""One row through a per-request loader, by an id that may be missing."""

from __future__ import annotations

import uuid
from typing import TypeVar

from db.loaders import RequestLoader

T = TypeVar("T")


async def by_id(
    loader: RequestLoader[uuid.UUID, T | None], row_id: uuid.UUID | None, *, alone: bool = False
) -> T | None:
    """None, without a load, for a missing id: a global id that named another type, or a carrier's
    organization when it is in none. `alone`: the operation's only root field asks, so no other load
    can join its batch: its statement goes at once (db/loaders.RequestLoader.load_alone)."""
    if row_id is None:
        return None
    if alone:
        return await loader.load_alone(row_id)
    return await loader.load(row_id)
