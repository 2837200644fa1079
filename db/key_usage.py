"""SQL for `api_key_usage`: requests per key, hour and outcome, and the one statement that writes an
instance's noted key use (last uses, refusals, counts) whatever the number of keys."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from access.principal import Reach
from db.key_refusals import Refused
from db.pool import Connection

Interval = Literal["hour", "day"]


@dataclass(frozen=True, slots=True)
class Counted:
    """Uses of one key in one hour with one outcome, noted in one process since its last flush."""

    key_id: uuid.UUID
    hour: datetime
    outcome: str
    uses: int


@dataclass(frozen=True, slots=True)
class UsageRow:
    """Uses of a key with one outcome within one bucket (an hour or a UTC day) starting at `start`."""

    start: datetime
    outcome: str
    uses: int


# One statement, so that a flush costs the same whatever the traffic and never half-lands: the last
# uses (never moving backwards), the refusals by minute and reason, and the counts by hour and outcome,
# each added to what other instances wrote. A key deleted meanwhile is skipped, not an error. The counts
# are announced on the change feed in the same statement (so at its commit, never on a rollback): one
# notification per carrier whose keys were counted (and one without a carrier for service keys), by ids only,
# `{"t": "key_usage", "carrier": ...}`; listeners read the counts themselves, with their own rules.
FLUSH = """
with last_use as (
    update api_keys k set last_used_at = u.at, last_used_address = u.address::inet
    from unnest($1::uuid[], $2::timestamptz[], $3::text[]) as u(id, at, address)
    where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)
), refused as (
    insert into api_key_refusals as r
        (key_id, minute, reason, first_at, last_at, refusals, client_address, detail)
    select u.key_id, u.minute, u.reason, u.first_at, u.last_at, u.refusals, u.client_address::inet, u.detail
    from unnest($4::uuid[], $5::timestamptz[], $6::text[], $7::timestamptz[], $8::timestamptz[],
                $9::integer[], $10::text[], $11::text[])
         as u(key_id, minute, reason, first_at, last_at, refusals, client_address, detail)
    where exists (select 1 from api_keys k where k.id = u.key_id)
    on conflict (key_id, minute, reason) do update set
        refusals = r.refusals + excluded.refusals,
        first_at = least(r.first_at, excluded.first_at),
        last_at = greatest(r.last_at, excluded.last_at),
        client_address = case when excluded.last_at >= r.last_at then excluded.client_address
                              else r.client_address end,
        detail = coalesce(excluded.detail, r.detail)
), counted as (
    insert into api_key_usage as s (key_id, hour, outcome, uses)
    select u.key_id, u.hour, u.outcome, u.uses
    from unnest($12::uuid[], $13::timestamptz[], $14::text[], $15::bigint[]) as u(key_id, hour, outcome, uses)
    where exists (select 1 from api_keys k where k.id = u.key_id)
    on conflict (key_id, hour, outcome) do update set uses = s.uses + excluded.uses
    returning s.key_id
)
select count(*) from (
    select notify_change(jsonb_build_object('t', 'key_usage', 'carrier', k.carrier_id))
    from (select distinct key_id from counted) c
    join api_keys k on k.id = c.key_id
    group by k.carrier_id
) notified
"""

PRUNE = "delete from api_key_usage where hour < $1"

# A key's uses by bucket and outcome within [since, until); only keys in the caller's reach.
BY_KEY_IDS = """
select u.key_id, date_trunc($7, u.hour, 'UTC') as start, u.outcome, sum(u.uses)::bigint as uses
from unnest($4::uuid[]) as p_(id)
join api_keys k on k.id = p_.id
left join carriers c on c.id = k.carrier_id
join api_key_usage u on u.key_id = p_.id and u.hour >= $5 and u.hour < $6
where carrier_in_scope(k.carrier_id, c.organization_id, $1, $2, $3)
group by u.key_id, start, u.outcome
order by u.key_id, start, u.outcome
"""


@dataclass(frozen=True, slots=True)
class ExportRow:
    key_id: uuid.UUID
    hint: str
    hour: datetime
    outcome: str
    uses: int


# A carrier's counts (or one key's) within [since, until), by key, hour and outcome: for the CSV export,
# read through a cursor.
OF_CARRIER = """
select u.key_id, k.hint, u.hour, u.outcome, u.uses
from api_keys k
join api_key_usage u on u.key_id = k.id and u.hour >= $3 and u.hour < $4
where k.carrier_id = $1 and ($2::uuid is null or k.id = $2)
order by k.created_at, k.id, u.hour, u.outcome
"""


async def of_carrier(
    conn: Connection, *, carrier_id: uuid.UUID, key_id: uuid.UUID | None, since: datetime, until: datetime
) -> AsyncIterator[ExportRow]:
    """The counts, a few hundred rows at a time (the caller holds a transaction)."""
    async for record in conn.cursor(OF_CARRIER, carrier_id, key_id, since, until, prefetch=500):
        yield ExportRow(record["key_id"], record["hint"], record["hour"], record["outcome"], record["uses"])


async def flush(
    conn: Connection,
    *,
    uses: Sequence[tuple[uuid.UUID, datetime, str | None]],
    refused: Sequence[Refused],
    counted: Sequence[Counted],
) -> None:
    # Every instance writes its rows in the same order (by key, then bucket), so that two instances
    # flushing at once lock the rows they share in the same order and never deadlock each other.
    uses = sorted(uses, key=lambda use: use[0])
    refused = sorted(refused, key=lambda r: (r.key_id, r.minute, r.reason))
    counted = sorted(counted, key=lambda c: (c.key_id, c.hour, c.outcome))
    await conn.execute(
        FLUSH,
        *columns(uses, 3),
        *columns(
            [
                (r.key_id, r.minute, r.reason, r.first_at, r.last_at, r.refusals, r.client_address, r.detail)
                for r in refused
            ],
            8,
        ),
        *columns([(c.key_id, c.hour, c.outcome, c.uses) for c in counted], 4),
    )


def columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    """Rows as columns, for `unnest($1::uuid[], $2::timestamptz[], ...)`: one array per column, each
    as long as the rows (empty arrays for no rows, hence the width)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


async def prune(conn: Connection, *, before: datetime) -> int:
    """Delete the counts of hours before `before`; return how many rows went."""
    status = await conn.execute(PRUNE, before)
    return int(status.split()[-1])


async def by_key_ids(
    conn: Connection,
    *,
    reach: Reach,
    key_ids: Sequence[uuid.UUID],
    since: datetime,
    until: datetime,
    interval: Interval,
) -> dict[uuid.UUID, list[UsageRow]]:
    records = await conn.fetch(BY_KEY_IDS, *reach.params(), list(key_ids), since, until, interval)
    found: dict[uuid.UUID, list[UsageRow]] = {key_id: [] for key_id in key_ids}
    for record in records:
        found[record["key_id"]].append(UsageRow(record["start"], record["outcome"], record["uses"]))
    return found
