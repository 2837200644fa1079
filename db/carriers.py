"""SQL for the `carriers` table. Every read applies the caller's reach (the carriers it may see)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from access.principal import Reach
from db.pagination import Keyset, Page, PageRequest, group_pages, page_statement, to_page
from db.pool import Connection
from db.rows import check_columns, row, row_or_none
from db.search import like_pattern


@dataclass(frozen=True, slots=True)
class CarrierRow:
    id: uuid.UUID
    code: str
    name: str
    organization_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CarrierFilter:
    organization_id: uuid.UUID | None = None
    # True: only carriers in an organization; False: only carriers in none; None: both.
    attached: bool | None = None
    search: str | None = None


COLUMNS = "c.id, c.code, c.name, c.organization_id, c.version, c.created_at, c.updated_at"
check_columns(CarrierRow, COLUMNS)
IN_SCOPE = "carrier_in_scope(c.id, c.organization_id, $1, $2, $3)"

BY_IDS = f"""
select {COLUMNS} from carriers c
where c.id = any($4::uuid[]) and {IN_SCOPE}
"""

# An organization's carriers in reach, by code (the organization's own subscriptions read them all).
OF_ORGANIZATION = f"""
select {COLUMNS} from carriers c
where c.organization_id = $4 and {IN_SCOPE}
order by c.code
"""

BY_CODES = f"""
select {COLUMNS} from carriers c
where upper(c.code) = any($4::text[]) and {IN_SCOPE}
"""

# The filter parameters are always bound; a null disables its condition.
FILTERED = f"""
    from carriers c
    where {IN_SCOPE}
      and ($4::uuid is null or c.organization_id = $4)
      and ($5::boolean is null or (c.organization_id is not null) = $5)
      and ($6::text is null
           or c.code ilike '%' || $6 || '%' escape '\\'
           or c.name ilike '%' || $6 || '%' escape '\\')
"""

PAGE = page_statement(COLUMNS, FILTERED)

# Paginated carriers of many organizations in one statement: one lateral page per organization.
PAGE_BY_ORGANIZATION_IDS = f"""
select o.id as parent_id, t.total, p.*
from unnest($4::uuid[]) as o(id)
cross join lateral (
    select count(*) as total from carriers c
    where c.organization_id = o.id and {IN_SCOPE}
) t
left join lateral (
    select {COLUMNS} from carriers c
    where c.organization_id = o.id and {IN_SCOPE} and {{where}}
    order by {{order_by}} limit {{limit}}
) p on true
"""


async def by_ids(conn: Connection, *, reach: Reach, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CarrierRow]:
    records = await conn.fetch(BY_IDS, *reach.params(), list(ids))
    return {r["id"]: row(CarrierRow, r) for r in records}


async def of_organization(conn: Connection, *, reach: Reach, organization_id: uuid.UUID) -> list[CarrierRow]:
    records = await conn.fetch(OF_ORGANIZATION, *reach.params(), organization_id)
    return [row(CarrierRow, r) for r in records]


async def by_codes(conn: Connection, *, reach: Reach, codes: Sequence[str]) -> dict[str, CarrierRow]:
    records = await conn.fetch(BY_CODES, *reach.params(), [c.upper() for c in codes])
    return {r["code"]: row(CarrierRow, r) for r in records}


async def page(
    conn: Connection, *, reach: Reach, where: CarrierFilter, page: PageRequest
) -> Page[CarrierRow]:
    keyset = Keyset.render(page, sort="c.code", id_column="c.id", key_type="text", first_param=7)
    filter_params = [where.organization_id, where.attached, like_pattern(where.search)]
    sql = keyset.fill(PAGE)
    records = await conn.fetch(sql, *reach.params(), *filter_params, *keyset.params)
    rows = [row(CarrierRow, r, skip=1) for r in records if r["id"] is not None]
    return to_page(rows, page, records[0]["total"])


async def pages_by_organization_ids(
    conn: Connection, *, reach: Reach, organization_ids: Sequence[uuid.UUID], page: PageRequest
) -> dict[uuid.UUID, Page[CarrierRow]]:
    keyset = Keyset.render(page, sort="c.code", id_column="c.id", key_type="text", first_param=5)
    sql = keyset.fill(PAGE_BY_ORGANIZATION_IDS)
    records = await conn.fetch(sql, *reach.params(), list(organization_ids), *keyset.params)
    return group_pages(records, organization_ids, page, lambda r: row(CarrierRow, r, skip=2))


async def ids_by_codes(conn: Connection, *, codes: Sequence[str]) -> dict[str, uuid.UUID]:
    """Unscoped: the ids of the carrier codes in a person's token (codes never change)."""
    records = await conn.fetch(
        "select upper(code) as code, id from carriers where upper(code) = any($1::text[])",
        [c.upper() for c in codes],
    )
    return {r["code"]: r["id"] for r in records}


# Writes. Each returns the changed row, or None when the row is missing or the condition (an expected
# version, an expected organization) does not hold; the caller then reads the row to say which.
INSERT = f"insert into carriers as c (code, name) values ($1, $2) returning {COLUMNS}"

UPDATE_NAME = f"""
update carriers c set name = $2, version = version + 1, updated_at = now()
where c.id = $1
returning {COLUMNS}
"""

# The condition on the current organization makes attach, move and detach atomic: of two concurrent
# attaches of one carrier, the second finds the carrier already attached and changes nothing.
SET_ORGANIZATION = f"""
update carriers c set organization_id = $2, version = version + 1, updated_at = now()
where c.id = $1
  and c.organization_id is not distinct from $3
returning {COLUMNS}
"""

FOR_UPDATE = f"select {COLUMNS} from carriers c where c.id = $1 for update"


async def insert(conn: Connection, *, code: str, name: str) -> CarrierRow:
    return row(CarrierRow, await conn.fetchrow(INSERT, code, name))


async def update_name(conn: Connection, *, carrier_id: uuid.UUID, name: str) -> CarrierRow | None:
    return row_or_none(CarrierRow, await conn.fetchrow(UPDATE_NAME, carrier_id, name))


async def set_organization(
    conn: Connection,
    *,
    carrier_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    current_organization_id: uuid.UUID | None,
) -> CarrierRow | None:
    record = await conn.fetchrow(SET_ORGANIZATION, carrier_id, organization_id, current_organization_id)
    return row_or_none(CarrierRow, record)


async def organization_of(conn: Connection, *, carrier_id: uuid.UUID) -> uuid.UUID | None:
    """Unscoped: the organization a carrier is in now (for recording an event about it)."""
    organization_id: uuid.UUID | None = await conn.fetchval(
        "select organization_id from carriers where id = $1", carrier_id
    )
    return organization_id


async def lock(conn: Connection, *, carrier_id: uuid.UUID) -> CarrierRow | None:
    """The carrier, locked until the transaction ends (serialises key issuance per carrier)."""
    return row_or_none(CarrierRow, await conn.fetchrow(FOR_UPDATE, carrier_id))
