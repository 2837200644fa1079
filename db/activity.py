"""SQL for the append-only `activity_log`: every change, and every refused restricted call."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.principal import Principal, Reach
from db import organizations
from db.pagination import Keyset, Page, PageRequest, group_pages, page_statement, to_page
from db.pool import Connection
from db.rows import check_columns, row


@dataclass(frozen=True, slots=True)
class ActivityRow:
    id: uuid.UUID
    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    actor_name: str | None
    actor_is_staff: bool
    action: str
    outcome: str
    target_type: str | None
    target_id: uuid.UUID | None
    carrier_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    request_id: str | None
    client_address: str | None
    # For a change made by approving a request: who asked for it (kind, id, name, changeRequestId).
    requested_by: dict[str, Any] | None = None


class Outcome(enum.Enum):
    SUCCEEDED = "succeeded"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    actor_id: str | None = None
    action: str | None = None
    target_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Events of this carrier; with `with_organization`, also its organization's own (renames, settings).
    carrier_id: uuid.UUID | None = None
    with_organization: bool = False
    organization_id: uuid.UUID | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A change to record: what happened to which object, with its state before and after."""

    action: str
    target_type: str | None = None
    target_id: uuid.UUID | None = None
    carrier_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    outcome: str = "succeeded"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a change came from: the caller, the request and the client's address."""

    principal: Principal
    request_id: str | None
    client_address: str | None
    # A change made by approving a request: who asked for it, recorded beside who made it.
    requested_by: dict[str, Any] | None = None


COLUMNS = """
    a.id, a.occurred_at, a.actor_kind, a.actor_id, a.actor_name, a.actor_is_staff, a.action, a.outcome,
    a.target_type, a.target_id, a.carrier_id, a.organization_id, a.before, a.after, a.reason,
    a.request_id, host(a.client_address) as client_address, a.requested_by
"""
check_columns(ActivityRow, COLUMNS)

# Who sees an event: whoever sees its carrier now (a carrier administrator, an administrator of the
# organization the carrier is in today), the administrators of the organization it was recorded under
# (who keep their organization's history when a carrier leaves), and for an event of an organization
# itself, whoever sees that organization. Staff see everything.
IN_SCOPE = f"""($1
    or (a.carrier_id is not null and (
        a.carrier_id = any($2)
        or a.organization_id = any($3)
        or exists (select 1 from carriers c where c.id = a.carrier_id and c.organization_id = any($3))))
    or (a.carrier_id is null and a.organization_id is not null
        and {organizations.in_reach("a.organization_id")}))"""

BY_IDS = f"select {COLUMNS} from activity_log a where a.id = any($4::uuid[]) and {IN_SCOPE}"

INSERT = """
insert into activity_log
    (actor_kind, actor_id, actor_name, actor_is_staff, action, outcome, target_type, target_id,
     carrier_id, organization_id, before, after, reason, request_id, client_address, requested_by)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::inet, $16)
"""

FILTERED = f"""
    from activity_log a
    where {IN_SCOPE}
      and ($4::text is null or a.actor_id = $4)
      and ($5::text is null or a.action = $5)
      and ($6::uuid is null or a.target_id = $6)
      and ($7::timestamptz is null or a.occurred_at >= $7)
      and ($8::timestamptz is null or a.occurred_at < $8)
      and ($9::uuid is null
           or a.carrier_id = $9
           or ($10 and a.carrier_id is null
               and a.organization_id = (select c.organization_id from carriers c where c.id = $9)))
      and ($11::uuid is null or a.organization_id = $11)
      and ($12::text is null or a.outcome = $12)
"""

PAGE = page_statement(COLUMNS, FILTERED)

# A carrier the caller sees now: all of its events are theirs to see (checked once per carrier).
PAGE_BY_CARRIER_IDS = f"""
select p_.id as parent_id, t.total, a_.*
from unnest($4::uuid[]) as p_(id)
join carriers c on c.id = p_.id and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
cross join lateral (
    select count(*) as total from activity_log a where a.carrier_id = p_.id
) t
left join lateral (
    select {COLUMNS} from activity_log a
    where a.carrier_id = p_.id and {{where}}
    order by {{order_by}} limit {{limit}}
) a_ on true
"""


async def record(conn: Connection, *, origin: Origin, event: Event) -> None:
    kind, actor_id, actor_name = origin.principal.audit_fields()
    await conn.execute(
        INSERT,
        kind,
        actor_id,
        actor_name,
        origin.principal.is_staff,
        event.action,
        event.outcome,
        event.target_type,
        event.target_id,
        event.carrier_id,
        event.organization_id,
        event.before,
        event.after,
        event.reason,
        origin.request_id,
        origin.client_address,
        origin.requested_by,
    )


async def by_ids(conn: Connection, *, reach: Reach, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ActivityRow]:
    records = await conn.fetch(BY_IDS, *reach.params(), list(ids))
    return {r["id"]: row(ActivityRow, r) for r in records}


def _filtered_params(reach: Reach, where: ActivityFilter) -> tuple[object, ...]:
    """FILTERED's parameters $1 to $12, in order."""
    return (
        *reach.params(),
        where.actor_id,
        where.action,
        where.target_id,
        where.since,
        where.until,
        where.carrier_id,
        where.with_organization,
        where.organization_id,
        where.outcome,
    )


def _keyset(page: PageRequest, first_param: int) -> Keyset:
    return Keyset.newest_first(page, alias="a", at="occurred_at", first_param=first_param)


async def page(
    conn: Connection, *, reach: Reach, where: ActivityFilter, page: PageRequest
) -> Page[ActivityRow]:
    keyset = _keyset(page, first_param=13)
    sql = keyset.fill(PAGE)
    records = await conn.fetch(sql, *_filtered_params(reach, where), *keyset.params)
    rows = [row(ActivityRow, r, skip=1) for r in records if r["id"] is not None]
    return to_page(rows, page, records[0]["total"])


async def pages_by_carrier_ids(
    conn: Connection, *, reach: Reach, carrier_ids: Sequence[uuid.UUID], page: PageRequest
) -> dict[uuid.UUID, Page[ActivityRow]]:
    keyset = _keyset(page, first_param=5)
    sql = keyset.fill(PAGE_BY_CARRIER_IDS)
    records = await conn.fetch(sql, *reach.params(), list(carrier_ids), *keyset.params)
    return group_pages(records, carrier_ids, page, lambda r: row(ActivityRow, r, skip=2))


# Every event a filter selects, newest first: for the CSV export, read through a cursor.
ALL_FILTERED = f"select {COLUMNS} {FILTERED} order by a.occurred_at desc, a.id desc"


async def all_filtered(
    conn: Connection, *, reach: Reach, where: ActivityFilter
) -> AsyncIterator[ActivityRow]:
    """Every event `where` selects in reach, a few hundred rows at a time (the caller holds a
    transaction), as `page` would list them one page after another."""
    async for record in conn.cursor(ALL_FILTERED, *_filtered_params(reach, where), prefetch=500):
        yield row(ActivityRow, record)
