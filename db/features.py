"""SQL for the `features` table: the catalogue is the vendor's, the same for every caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from db.pool import Connection
from db.rows import check_columns, row, row_or_none


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
check_columns(FeatureRow, COLUMNS)

ALL = f"select {COLUMNS} from features f order by f.key"
BY_IDS = f"select {COLUMNS} from features f where f.id = any($1::uuid[])"
BY_KEYS = f"select {COLUMNS} from features f where f.key = any($1::text[])"


class KnownFeatures:
    """The catalogue's rows as an application last read them from its database, by key, so that reading
    enablements need not read the catalogue again (one statement of the nested query's five).

    A kept row is used only where it is still the feature: the enablements' statement reads each
    feature's id and version in the same snapshot as the values computed from it, every change to a
    feature bumps its version (`UPDATE` below is the only writer), and a feature deleted and made again
    has a new id. Kept per application (one database); at most `limit` rows, the oldest dropped first
    (the vendor's catalogue has tens)."""

    def __init__(self, limit: int = 1_000) -> None:
        self.limit = limit
        self.rows: dict[str, FeatureRow] = {}

    def catalogue(self, seen: Iterable[tuple[str, uuid.UUID, int]]) -> dict[str, FeatureRow] | None:
        """The rows of the features `seen` (key, id, version), or None if any is not kept as it was seen."""
        found = {}
        for key, feature_id, version in seen:
            kept = self.rows.get(key)
            if kept is None or kept.id != feature_id or kept.version != version:
                return None
            found[key] = kept
        return found

    def keep(self, rows: Iterable[FeatureRow]) -> None:
        for feature in rows:
            if self.rows.get(feature.key) is not feature:  # rows it handed out are kept already
                self.rows.pop(feature.key, None)
                self.rows[feature.key] = feature
        while len(self.rows) > self.limit:
            del self.rows[next(iter(self.rows))]


async def all_features(conn: Connection) -> list[FeatureRow]:
    return [row(FeatureRow, r) for r in await conn.fetch(ALL)]


async def by_ids(conn: Connection, *, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, FeatureRow]:
    return {r["id"]: row(FeatureRow, r) for r in await conn.fetch(BY_IDS, list(ids))}


async def by_id(conn: Connection, *, feature_id: uuid.UUID) -> FeatureRow | None:
    return (await by_ids(conn, ids=[feature_id])).get(feature_id)


async def by_keys(conn: Connection, *, keys: Sequence[str]) -> dict[str, FeatureRow]:
    return {r["key"]: row(FeatureRow, r) for r in await conn.fetch(BY_KEYS, list(keys))}


INSERT = f"""
insert into features as f (key, name, description, default_enabled) values ($1, $2, $3, $4)
returning {COLUMNS}
"""

# A null argument keeps the current value.
UPDATE = f"""
update features f set
    name = coalesce($2, f.name),
    description = coalesce($3, f.description),
    default_enabled = coalesce($4, f.default_enabled),
    version = f.version + 1,
    updated_at = now()
where f.id = $1 and ($5::integer is null or f.version = $5)
returning {COLUMNS}
"""


async def insert(
    conn: Connection, *, key: str, name: str, description: str, default_enabled: bool
) -> FeatureRow:
    return row(FeatureRow, await conn.fetchrow(INSERT, key, name, description, default_enabled))


async def update(
    conn: Connection,
    *,
    feature_id: uuid.UUID,
    name: str | None,
    description: str | None,
    default_enabled: bool | None,
    expected_version: int | None,
) -> FeatureRow | None:
    record = await conn.fetchrow(UPDATE, feature_id, name, description, default_enabled, expected_version)
    return row_or_none(FeatureRow, record)
