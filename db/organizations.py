"""SQL for the `organizations` table. Reads apply the caller's reach (the carriers it may see)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from access.principal import Reach
from db.pagination import Keyset, Page, PageRequest, page_statement, to_page
from db.pool import Connection
from db.rows import check_columns, row, row_or_none
from db.search import like_pattern


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    id: uuid.UUID
    name: str
    version: int
    created_at: datetime
    updated_at: datetime


COLUMNS = "o.id, o.name, o.version, o.created_at, o.updated_at"
check_columns(OrganizationRow, COLUMNS)


def in_reach(organization_id: str) -> str:
    """SQL: whether the caller reaches the organization `organization_id` (a column), with the reach's
    three parameters as $1-$3 (Reach.params): staff reach all; others their organizations and the
    organizations of their carriers.

    Written out where it is used rather than called as a SQL function: a function whose body holds a
    subquery is never inlined, so PostgreSQL called it for every row and planned its body again at every
    execution (the organization by id, timed with pgbench: 0.16 ms a statement as a function call, 0.11
    written out)."""
    return f"""($1 or {organization_id} = any($3)
    or exists (select 1 from carriers reach_c
               where reach_c.organization_id = {organization_id} and reach_c.id = any($2)))"""


IN_SCOPE = in_reach("o.id")

BY_IDS = f"""
select {COLUMNS} from organizations o
where o.id = any($4::uuid[]) and {IN_SCOPE}
"""

FILTERED = f"""
    from organizations o
    where {IN_SCOPE} and ($4::text is null or o.name ilike '%' || $4 || '%' escape '\\')
"""

PAGE = page_statement(COLUMNS, FILTERED)


async def by_ids(
    conn: Connection, *, reach: Reach, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrganizationRow]:
    records = await conn.fetch(BY_IDS, *reach.params(), list(ids))
    return {r["id"]: row(OrganizationRow, r) for r in records}


async def page(
    conn: Connection, *, reach: Reach, search: str | None, page: PageRequest
) -> Page[OrganizationRow]:
    keyset = Keyset.render(page, sort="o.name", id_column="o.id", key_type="text", first_param=5)
    sql = keyset.fill(PAGE)
    records = await conn.fetch(sql, *reach.params(), like_pattern(search), *keyset.params)
    rows = [row(OrganizationRow, r, skip=1) for r in records if r["id"] is not None]
    return to_page(rows, page, records[0]["total"])


INSERT = f"insert into organizations as o (name) values ($1) returning {COLUMNS}"

RENAME = f"""
update organizations o set name = $2, version = version + 1, updated_at = now()
where o.id = $1
returning {COLUMNS}
"""

DELETE = f"""
delete from organizations o
where o.id = $1
returning {COLUMNS}
"""

COUNT_CARRIERS = "select count(*) from carriers where organization_id = $1"


async def insert(conn: Connection, *, name: str) -> OrganizationRow:
    return row(OrganizationRow, await conn.fetchrow(INSERT, name))


async def rename(conn: Connection, *, organization_id: uuid.UUID, name: str) -> OrganizationRow | None:
    return row_or_none(OrganizationRow, await conn.fetchrow(RENAME, organization_id, name))


async def delete(conn: Connection, *, organization_id: uuid.UUID) -> OrganizationRow | None:
    """Deletes; the carriers' foreign key refuses it (ForeignKeyViolationError) while any remain."""
    return row_or_none(OrganizationRow, await conn.fetchrow(DELETE, organization_id))


async def count_carriers(conn: Connection, *, organization_id: uuid.UUID) -> int:
    count: int = await conn.fetchval(COUNT_CARRIERS, organization_id)
    return count


LOCK_SHARED = f"select {COLUMNS} from organizations o where o.id = $1 for key share"
LOCK = f"select {COLUMNS} from organizations o where o.id = $1 for update"


async def lock_shared(conn: Connection, *, organization_id: uuid.UUID) -> OrganizationRow | None:
    """The organization, kept from being deleted until the transaction ends (attach, move)."""
    return row_or_none(OrganizationRow, await conn.fetchrow(LOCK_SHARED, organization_id))


async def lock(conn: Connection, *, organization_id: uuid.UUID) -> OrganizationRow | None:
    """The organization, locked for a change (rename, delete) until the transaction ends."""
    return row_or_none(OrganizationRow, await conn.fetchrow(LOCK, organization_id))


async def get(conn: Connection, *, organization_id: uuid.UUID) -> OrganizationRow | None:
    record = await conn.fetchrow(f"select {COLUMNS} from organizations o where o.id = $1", organization_id)
    return row_or_none(OrganizationRow, record)
