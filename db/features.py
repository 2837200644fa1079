"""SQL for the `features` table: the catalogue is the vendor's, the same for every caller."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from db.pool import Connection
from db.rows import row


@dataclass(frozen=True, slots=True)
class FeatureRow:
    id: uuid.UUID
    key: str
    name: str
    description: str
    default_enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime


COLUMNS = "f.id, f.key, f.name, f.description, f.default_enabled, f.version, f.created_at, f.updated_at"

ALL = f"select {COLUMNS} from features f order by f.key"
BY_IDS = f"select {COLUMNS} from features f where f.id = any($1::uuid[])"
BY_KEYS = f"select {COLUMNS} from features f where f.key = any($1::text[])"


async def all_features(conn: Connection) -> list[FeatureRow]:
    return [row(FeatureRow, r) for r in await conn.fetch(ALL)]


async def by_ids(conn: Connection, *, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, FeatureRow]:
    return {r["id"]: row(FeatureRow, r) for r in await conn.fetch(BY_IDS, list(ids))}


async def by_keys(conn: Connection, *, keys: Sequence[str]) -> dict[str, FeatureRow]:
    return {r["key"]: row(FeatureRow, r) for r in await conn.fetch(BY_KEYS, list(keys))}
