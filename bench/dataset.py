"""The benchmark's data set: a fresh, migrated database with organizations of fixed sizes.

All the SQL that builds it is here. Rows are made set-based (INSERT ... SELECT generate_series) so
that the full data set builds in seconds; only the one API key whose secret the benchmark needs is
made in Python, with the application's own key format.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import asyncpg

from access import keyformat
from db.migrate import migrate
from db.pagination import Cursor


@dataclass(frozen=True, slots=True)
class Shape:
    """How big the data set is, and which organizations the workloads read."""

    # Organizations read whole, one request each (every size must fit in one page).
    nested_sizes: tuple[int, ...]
    # The nested workload the issue is about.
    main_size: int
    # The organization read page by page, and the page size used.
    paged_size: int
    page_size: int
    keys_per_carrier: int
    features: int
    # Background rows, so that tables and indexes have a realistic size around the measured rows.
    unattached_carriers: int
    keys_per_unattached_carrier: int
    empty_organizations: int
    activity_rows: int

    @property
    def organization_sizes(self) -> tuple[int, ...]:
        return tuple(sorted({*self.nested_sizes, self.paged_size}))


FULL = Shape(
    nested_sizes=(10, 50, 100),
    main_size=50,
    paged_size=1000,
    page_size=100,
    keys_per_carrier=20,
    features=15,
    unattached_carriers=2000,
    keys_per_unattached_carrier=5,
    empty_organizations=300,
    activity_rows=100_000,
)

# For a CI smoke run: every workload still runs, on a handful of rows.
TINY = Shape(
    nested_sizes=(2, 5),
    main_size=5,
    paged_size=5,
    page_size=2,
    keys_per_carrier=2,
    features=5,
    unattached_carriers=20,
    keys_per_unattached_carrier=1,
    empty_organizations=3,
    activity_rows=200,
)


@dataclass(frozen=True, slots=True)
class Dataset:
    url: str
    shape: Shape
    # Organization id by its number of carriers.
    organizations: dict[int, uuid.UUID]
    # The carrier the small queries read, and the secret of an API key of that carrier.
    small_carrier_code: str
    api_key_secret: str
    # The cursor after which the paged workload reads one page (the middle of the organization).
    middle_cursor: str
    # How many carriers come before that page.
    middle_offset: int
    seconds: float
    row_counts: dict[str, int] = field(default_factory=dict)


SMALL_CARRIER_CODE = "U00001"
ACTOR = ("staff", "bench", "Benchmark")

FEATURES = """
insert into features (key, name, description, default_enabled)
select 'bench.feature_' || lpad(n::text, 2, '0'), 'Feature ' || n,
       'A feature of the benchmark catalogue, number ' || n || '.', n % 3 = 0
from generate_series(1, $1) n
"""

ORGANIZATION = "insert into organizations (name) values ($1) returning id"

EMPTY_ORGANIZATIONS = """
insert into organizations (name)
select 'Background organization ' || lpad(n::text, 5, '0') from generate_series(1, $1) n
"""

# Codes sort in creation order (zero-padded), so "the middle of the organization" is a known position.
ORGANIZATION_CARRIERS = """
insert into carriers (code, name, organization_id, created_at, updated_at)
select $2 || lpad(n::text, 4, '0'), 'Carrier ' || $2 || lpad(n::text, 4, '0'), $1,
       now() - interval '400 days' + n * interval '1 minute', now() - interval '1 day'
from generate_series(1, $3) n
"""

UNATTACHED_CARRIERS = """
insert into carriers (code, name, created_at, updated_at)
select 'U' || lpad(n::text, 5, '0'), 'Unattached carrier ' || n,
       now() - interval '400 days' + n * interval '1 minute', now() - interval '1 day'
from generate_series(1, $1) n
"""

# Keys in every state: mostly active, every fifth expired, every seventh revoked; scopes vary.
KEYS = """
insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes, expires_at,
                      created_at, created_by_kind, created_by_id, created_by_name,
                      revoked_at, revoked_by_kind, revoked_by_id, revoked_by_name, revoked_reason, updated_at)
select c.id, 'Integration key ' || k,
       sha256(convert_to(c.id::text || ':' || k, 'UTF8')),
       'cak_live_…' || substr(md5(c.id::text || ':' || k), 1, 4), 'live',
       case k % 3 when 0 then array['carrier:read', 'enablements:read', 'keys:read']
                  when 1 then array['carrier:read', 'keys:read']
                  else array['carrier:read'] end,
       case when k % 5 = 0 then now() - interval '10 days' else now() + interval '80 days' end,
       now() - interval '100 days' + k * interval '1 hour', $3, $4, $5,
       case when k % 7 = 0 then now() - interval '5 days' end,
       case when k % 7 = 0 then $3 end,
       case when k % 7 = 0 then $4 end,
       case when k % 7 = 0 then $5 end,
       case when k % 7 = 0 then 'Rotated by the benchmark' end,
       now() - interval '5 days'
from carriers c cross join generate_series(1, $2) k
where (c.organization_id is not null) = $1
"""

# An explicit row for every feature for organization members; a few rows for unattached carriers.
CARRIER_ENABLEMENTS = """
insert into carrier_enablements (carrier_id, feature_id, enabled, updated_at,
                                 updated_by_kind, updated_by_id, updated_by_name)
select c.id, f.id, (hashtext(c.code || f.key) & 1) = 0, now() - interval '3 days', $2, $3, $4
from carriers c cross join features f
where (c.organization_id is not null) = $1
  and ($1 or right(f.key, 1) in ('1', '5'))
"""

ORGANIZATION_ENABLEMENTS = """
insert into organization_enablements (organization_id, feature_id, enabled, updated_at,
                                      updated_by_kind, updated_by_id, updated_by_name)
select o.id, f.id, (hashtext(o.name || f.key) & 1) = 0, now() - interval '4 days', $1, $2, $3
from organizations o cross join features f
where f.key <= 'bench.feature_05'
"""

ACTIVITY = """
with c as (
    select array_agg(id order by code) as ids, array_agg(organization_id order by code) as orgs
    from carriers
)
insert into activity_log (occurred_at, actor_kind, actor_id, actor_name, actor_is_staff, action,
                          target_type, target_id, carrier_id, organization_id, before, after, request_id)
select now() - n * interval '5 minutes',
       (array['staff', 'admin', 'api_key'])[1 + n % 3], 'bench-actor-' || n % 17, 'Bench actor', n % 3 = 0,
       (array['carrier.update', 'apiKey.create', 'apiKey.revoke', 'enablement.set'])[1 + n % 4],
       'Carrier', c.ids[1 + n % cardinality(c.ids)], c.ids[1 + n % cardinality(c.ids)],
       c.orgs[1 + n % cardinality(c.ids)],
       jsonb_build_object('name', 'Before ' || n), jsonb_build_object('name', 'After ' || n), md5(n::text)
from c, generate_series(1, $1) n
"""

REAL_KEY = """
insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes, expires_at,
                      created_by_kind, created_by_id, created_by_name)
select id, 'Benchmark key', $2, $3, $4, array['carrier:read'], now() + interval '30 days', $5, $6, $7
from carriers where code = $1
"""

MIDDLE_CARRIER = """
select code, id from carriers where organization_id = $1 order by code, id offset $2 limit 1
"""

COUNTS = """
select 'organizations' as name, count(*) from organizations
union all select 'carriers', count(*) from carriers
union all select 'features', count(*) from features
union all select 'api_keys', count(*) from api_keys
union all select 'carrier_enablements', count(*) from carrier_enablements
union all select 'organization_enablements', count(*) from organization_enablements
union all select 'activity_log', count(*) from activity_log
"""


def with_database(url: str, name: str) -> str:
    """The same server as `url`, another database (query parameters, e.g. a socket host, kept)."""
    head, question, query = url.partition("?")
    scheme, separator, rest = head.partition("://")
    authority, _, _path = rest.partition("/")
    return f"{scheme}{separator}{authority}/{name}{question}{query}"


def organization_prefix(size: int) -> str:
    """Carrier codes of the organization of `size` carriers start with this (e.g. S50C0001)."""
    return f"S{size}C"


async def recreate_database(server_url: str, name: str) -> str:
    """Drop `name` if present and create it empty; return its URL. Connects to the `postgres` database."""
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        # The name is ours (validated by the command line), never a value from outside.
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


async def build(server_url: str, name: str, shape: Shape) -> Dataset:
    """A fresh database `name` on the server of `server_url`, migrated and filled to `shape`."""
    started = time.perf_counter()
    url = await recreate_database(server_url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        organizations = await _fill(conn, shape)
        secret = await _real_key(conn)
        # Statistics and visibility maps as a long-running database has them after autovacuum.
        await conn.execute("vacuum analyze")
        offset = (shape.paged_size - shape.page_size) // 2
        middle = await conn.fetchrow(MIDDLE_CARRIER, organizations[shape.paged_size], offset - 1)
        assert middle is not None, "the paged organization has fewer carriers than its shape says"
        counts = {r["name"]: r["count"] for r in await conn.fetch(COUNTS)}
    finally:
        await conn.close()
    return Dataset(
        url=url,
        shape=shape,
        organizations=organizations,
        small_carrier_code=SMALL_CARRIER_CODE,
        api_key_secret=secret,
        middle_cursor=Cursor("carriers", middle["code"], middle["id"]).encode(),
        middle_offset=offset,
        seconds=time.perf_counter() - started,
        row_counts=counts,
    )


async def _fill(conn: asyncpg.Connection, shape: Shape) -> dict[int, uuid.UUID]:
    organizations: dict[int, uuid.UUID] = {}
    async with conn.transaction():
        await conn.execute(FEATURES, shape.features)
        for size in shape.organization_sizes:
            org_id: uuid.UUID = await conn.fetchval(
                ORGANIZATION, f"Benchmark organization of {size} carriers"
            )
            organizations[size] = org_id
            await conn.execute(ORGANIZATION_CARRIERS, org_id, organization_prefix(size), size)
        await conn.execute(EMPTY_ORGANIZATIONS, shape.empty_organizations)
        await conn.execute(UNATTACHED_CARRIERS, shape.unattached_carriers)
        await conn.execute(KEYS, True, shape.keys_per_carrier, *ACTOR)
        await conn.execute(KEYS, False, shape.keys_per_unattached_carrier, *ACTOR)
        await conn.execute(CARRIER_ENABLEMENTS, True, *ACTOR)
        await conn.execute(CARRIER_ENABLEMENTS, False, *ACTOR)
        await conn.execute(ORGANIZATION_ENABLEMENTS, *ACTOR)
        await conn.execute(ACTIVITY, shape.activity_rows)
    return organizations


async def _real_key(conn: asyncpg.Connection) -> str:
    """An active key with a secret the benchmark can present (the generated ones have none)."""
    issued = keyformat.generate("live")
    await conn.execute(
        REAL_KEY, SMALL_CARRIER_CODE, issued.secret_hash, issued.hint, issued.environment, *ACTOR
    )
    return issued.secret
