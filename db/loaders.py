"""Per-request dataloaders: one SQL statement per batch, the caller's tenant scope applied inside it.

Built by the GraphQL view for each request (never shared: a loader's cache belongs to one caller).
Each returns exactly one result per key, in key order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, TypeVar

from aiodataloader import DataLoader

from access.principal import TenantScope
from db import carriers
from db.carriers import CarrierRow
from db.pool import CountingDatabase

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _loader(batch: Callable[[list[K]], Coroutine[Any, Any, list[V]]]) -> DataLoader[K, V]:
    return DataLoader(batch_load_fn=batch)


class Loaders:
    def __init__(self, db: CountingDatabase, scope: TenantScope) -> None:
        self.db = db
        self.scope = scope
        self.carrier_by_id = _loader(self._carriers_by_id)
        self.carrier_by_code = _loader(self._carriers_by_code)

    async def _carriers_by_id(self, ids: list[uuid.UUID]) -> list[CarrierRow | None]:
        async with self.db.acquire() as conn:
            by_id = await carriers.by_ids(conn, scope=self.scope, ids=ids)
        return [by_id.get(i) for i in ids]

    async def _carriers_by_code(self, codes: list[str]) -> list[CarrierRow | None]:
        async with self.db.acquire() as conn:
            by_code = await carriers.by_codes(conn, scope=self.scope, codes=codes)
        return [by_code.get(c.upper()) for c in codes]
