"""One row through a per-request loader, by an id that may be missing."""

from __future__ import annotations

import uuid
from typing import TypeVar

from aiodataloader import DataLoader

T = TypeVar("T")


async def by_id(loader: DataLoader[uuid.UUID, T | None], row_id: uuid.UUID | None) -> T | None:
    """None, without a load, for a missing id: a global id that named another type, or a carrier's
    organization when it is in none."""
    if row_id is None:
        return None
    return await loader.load(row_id)
