"""One row through a per-request loader, by an id that may be missing."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import TypeVar

from db.loaders import RequestLoader

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


async def by_id(
    loader: RequestLoader[uuid.UUID, T | None], row_id: uuid.UUID | None, *, alone: bool = False
) -> T | None:
    """None, without a load, for a missing id: a global id that named another type, or a carrier's
    organization when it is in none."""
    if row_id is None:
        return None
    return await one(loader, row_id, alone=alone)


async def one(loader: RequestLoader[K, T], key: K, *, alone: bool) -> T:
    """The key's row. `alone`: the operation's only root field asks (schema/selection.alone), so no
    other load can join its batch: its statement goes at once (db/loaders.RequestLoader.load_alone)."""
    if alone:
        return await loader.load_alone(key)
    return await loader.load(key)
