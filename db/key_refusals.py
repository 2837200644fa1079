"""SQL for `api_key_refusals`: refused uses of a key, one row per key, minute and reason, with a count."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from access.principal import Reach
from db.pool import Connection
from db.rows import check_columns, row


@dataclass(frozen=True, slots=True)
class RefusalRow:
    key_id: uuid.UUID
    reason: str
    first_at: datetime
    last_at: datetime
    refusals: int
    client_address: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class Refused(RefusalRow):
    """Refused uses noted in one process since its last flush, in the `minute` they fall in: what one
    row adds (db/key_usage.py writes them, with the last uses and the counts, in one statement)."""

    minute: datetime


COLUMNS = """
    r.key_id, r.reason, r.first_at, r.last_at, r.refusals, host(r.client_address) as client_address, r.detail
"""
check_columns(RefusalRow, COLUMNS)

# The latest refusals of each key, newest first; only keys in the caller's reach.
LATEST_BY_KEY_IDS = f"""
select {COLUMNS}
from unnest($4::uuid[]) as p_(id)
join api_keys k on k.id = p_.id
left join carriers c on c.id = k.carrier_id
cross join lateral (
    select * from api_key_refusals r0 where r0.key_id = p_.id order by r0.last_at desc limit $5
) r
where carrier_in_scope(k.carrier_id, c.organization_id, $1, $2, $3)
order by r.key_id, r.last_at desc
"""


async def latest_by_key_ids(
    conn: Connection, *, reach: Reach, key_ids: Sequence[uuid.UUID], limit: int
) -> dict[uuid.UUID, list[RefusalRow]]:
    records = await conn.fetch(LATEST_BY_KEY_IDS, *reach.params(), list(key_ids), limit)
    found: dict[uuid.UUID, list[RefusalRow]] = {key_id: [] for key_id in key_ids}
    for record in records:
        found[record["key_id"]].append(row(RefusalRow, record))
    return found
