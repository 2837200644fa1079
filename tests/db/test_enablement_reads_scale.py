"""Reading some carriers' (or organizations') enablements costs what those carriers have, not what the
tables hold: the statements of a nested read, of the bulk read for other services and of a key's API
access touch about as many pages with ten thousand other carriers' settings in the tables as with a
thousand (a btree a level deeper, not ten times the pages).

Buffers, not time: PostgreSQL counts the pages a statement touches (EXPLAIN ANALYZE BUFFERS) the same on
any machine under any load. Both plans a prepared statement may run are checked: the one planned for
its values (its first executions) and the generic one (asyncpg's cached statements, later).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
from hypothesis import strategies as st

from access.principal import staff
from db import enablements
from db.api_keys import VERIFIED_BY_ID
from tests import factories
from tests.drawn import drawn

REACH = staff("t", "T", None).reach
# The carriers read: an organization of them, the features drawn, settings at the levels drawn.
SUBJECT = """
with org as (insert into organizations (name) values ('Read') returning id),
feature_rows as (
    insert into features (key, name, default_enabled)
    select 'read.f' || n, 'Read ' || n, n % 2 = 0 from generate_series(1, $2) n returning id
),
carrier_rows as (
    insert into carriers (code, name, organization_id)
    select 'RD' || lpad(n::text, 4, '0'), 'Read ' || n, org.id from generate_series(1, $1) n, org
    returning id
),
own as (
    insert into carrier_enablements (carrier_id, feature_id, enabled, updated_by_kind, updated_by_id)
    select c.id, f.id, false, 'system', 'test' from carrier_rows c, feature_rows f where $3
)
insert into organization_enablements (organization_id, feature_id, enabled, updated_by_kind, updated_by_id)
select org.id, f.id, true, 'system', 'test' from org, feature_rows f where $4
"""
# Other carriers (numbered from $1, $2 of them) in organizations of 20, with every feature set at both levels.
BACKGROUND = """
with orgs as (
    insert into organizations (name)
    select 'Background ' || ($1 + n) from generate_series(1, $2 / 20) n returning id
), numbered as (select id, row_number() over () - 1 as n from orgs),
carrier_rows as (
    insert into carriers (code, name, organization_id)
    select 'BG' || lpad((g.n + $1)::text, 6, '0'), 'Background ' || g.n,
           (select id from numbered where numbered.n = g.n % ($2 / 20))
    from generate_series(1, $2) as g(n) returning id
), own as (
    insert into carrier_enablements (carrier_id, feature_id, enabled, updated_by_kind, updated_by_id)
    select c.id, f.id, true, 'system', 'test' from carrier_rows c cross join features f
)
insert into organization_enablements (organization_id, feature_id, enabled, updated_by_kind, updated_by_id)
select o.id, f.id, false, 'system', 'test' from orgs o cross join features f
"""
FIRST_CARRIER = "select id from carriers where code = 'RD0001'"
# Among ten times as many rows a statement may touch a little more (each probe of a btree a level
# deeper, a small table read whole): at most two and a half times the pages, not ten times.
GROWTH = 2.5
SLACK = 8


async def buffers(conn: asyncpg.Connection, sql: str, *args: Any) -> int:
    """The pages a statement touches, with the plan for its values and with the generic plan."""
    touched = 0
    for mode in ("force_custom_plan", "force_generic_plan"):
        await conn.execute(f"set local plan_cache_mode = {mode}")
        plan = json.loads(await conn.fetchval(f"explain (analyze, buffers, format json) {sql}", *args))
        top = plan[0]["Plan"]
        touched = max(touched, top["Shared Hit Blocks"] + top["Shared Read Blocks"])
    return touched


async def statements(conn: asyncpg.Connection, key_id: uuid.UUID) -> dict[str, int]:
    carriers = [
        r["id"] for r in await conn.fetch("select id from carriers where code like 'RD%' order by code")
    ]
    codes = await conn.fetchval("select array_agg(code) from carriers where id = any($1::uuid[])", carriers)
    org = await conn.fetchval("select id from organizations where name = 'Read'")
    return {
        "carriers' enablements": await buffers(
            conn,
            enablements.FOR_CARRIERS.format(updates=enablements.CARRIER_UPDATES),
            *REACH.params(),
            carriers,
        ),
        "organizations' enablements": await buffers(
            conn,
            enablements.FOR_ORGANIZATIONS.format(updates=enablements.ORGANIZATION_UPDATES),
            *REACH.params(),
            [org],
        ),
        "bulk read": await buffers(
            conn, enablements.EFFECTIVE_FOR_MANY, *REACH.params(), carriers, codes, None
        ),
        "a key's API access": await buffers(conn, VERIFIED_BY_ID, key_id, "read.f1"),
    }


# (carriers read, features, carriers' own settings, their organization's settings)
EXAMPLES = drawn(
    st.tuples(st.integers(min_value=20, max_value=60), st.integers(3, 8), st.booleans(), st.booleans()), 3
)


async def test_reading_enablements_touches_what_the_carriers_read_have_not_the_whole_tables(
    conn: asyncpg.Connection,
) -> None:
    for carriers, features, carrier_settings, organization_settings in EXAMPLES:
        example = conn.transaction()  # a savepoint, rolled back: each example starts from the same tables
        await example.start()
        try:
            # given: the carriers read, among a thousand others with every feature set
            await conn.execute(SUBJECT, carriers, features, carrier_settings, organization_settings)
            key_id, _ = await factories.api_key(conn, await conn.fetchval(FIRST_CARRIER))
            await conn.execute(BACKGROUND, 0, 1000)
            await conn.execute("analyze")
            among_some = await statements(conn, key_id)

            # when: nine thousand more join them
            await conn.execute(BACKGROUND, 1000, 9000)
            await conn.execute("analyze")
            among_many = await statements(conn, key_id)

            # then: each statement touches about the pages it touched before
            for name, before in among_some.items():
                assert among_many[name] <= before * GROWTH + SLACK, (name, before, among_many)
        finally:
            await example.rollback()
