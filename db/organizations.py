"""SQL for the `organizations` table. Reads apply the caller's tenant scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from access.principal import TenantScope
from db.pagination import Keyset, Page, PageRequest, to_page
from db.pool import Connection
from db.rows import row


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    id: uuid.UUID
    name: str
    version: int
    created_at: datetime
    updated_at: datetime


COLUMNS = "o.id, o.name, o.version, o.created_at, o.updated_at"
IN_SCOPE = "organization_in_scope(o.id, $1, $2, $3)"

BY_IDS = f"""
select {COLUMNS} from organizations o
where o.id = any($4::uuid[]) and {IN_SCOPE}
"""

FILTERED = f"""
    from organizations o
    where {IN_SCOPE} and ($4::text is null or o.name ilike '%' || $4 || '%' escape '\\')
"""

PAGE = f"""
with total as (select count(*) as n {FILTERED})
select total.n as total, p.*
from total
left join lateral (
    select {COLUMNS} {FILTERED} and {{where}}
    order by {{order_by}} limit {{limit}}
) p on true
"""


async def by_ids(
    conn: Connection, *, scope: TenantScope, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OrganizationRow]:
    records = await conn.fetch(BY_IDS, *scope.params(), list(ids))
    return {r["id"]: row(OrganizationRow, r) for r in records}


async def page(
    conn: Connection, *, scope: TenantScope, search: str | None, page: PageRequest
) -> Page[OrganizationRow]:
    keyset = Keyset.render(page, sort="o.name", id_column="o.id", key_type="text", first_param=5)
    sql = PAGE.format(where=keyset.where, order_by=keyset.order_by, limit=keyset.limit)
    pattern = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") if search else None
    records = await conn.fetch(sql, *scope.params(), pattern or None, *keyset.params)
    rows = [row(OrganizationRow, r, skip=("total",)) for r in records if r["id"] is not None]
    return to_page(rows, page, records[0]["total"])
