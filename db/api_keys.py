"""SQL for the `api_keys` table. Only the SHA-256 of a secret is ever stored or compared."""

from __future__ import annotations

import enum
import operator
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Network

import asyncpg

from access.principal import Reach
from db.enablements import EFFECTIVE_VALUE, SETTINGS
from db.pagination import Keyset, Page, PageRequest, group_pages, to_page
from db.pool import Connection
from db.rows import check_columns, record_columns


class KeyStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


# Read once: a member read from its Enum class costs more than the rest of `status` (Python 3.11), which a
# nested query calls for each of its 1,000 keys.
_ACTIVE, _EXPIRED, _REVOKED = KeyStatus.ACTIVE, KeyStatus.EXPIRED, KeyStatus.REVOKED
_ENDS = operator.itemgetter("revoked_at", "expires_at")


class KeyKind(enum.Enum):
    CARRIER = "CARRIER"
    SERVICE = "SERVICE"


@record_columns
class ApiKeyRow(asyncpg.Record):
    """A key as asyncpg decoded it: pages of keys are read into this type directly, nothing copied."""

    id: uuid.UUID
    # None for a service key: staff issue it for other services, to read across every carrier.
    carrier_id: uuid.UUID | None
    description: str
    hint: str
    environment: str
    scopes: list[str]
    ip_allowlist: list[IPv4Network | IPv6Network]
    expires_at: datetime | None
    created_at: datetime
    created_by_kind: str
    created_by_id: str
    created_by_name: str | None
    revoked_at: datetime | None
    revoked_by_kind: str | None
    revoked_by_id: str | None
    revoked_by_name: str | None
    revoked_reason: str | None
    rotated_from_id: uuid.UUID | None
    last_used_at: datetime | None
    last_used_address: str | None
    version: int
    updated_at: datetime

    @property
    def kind(self) -> KeyKind:
        return KeyKind.CARRIER if self.carrier_id is not None else KeyKind.SERVICE

    @property
    def allowlist(self) -> list[str]:
        """The allowlist as text (`10.0.0.0/8`), as the API, the activity log and the exports write it."""
        return [str(network) for network in self.ip_allowlist]

    def status(self, now: datetime) -> KeyStatus:
        revoked_at, expires_at = _ENDS(self)
        if revoked_at is not None and revoked_at <= now:
            return _REVOKED
        if expires_at is not None and expires_at <= now:
            return _EXPIRED
        return _ACTIVE


COLUMNS = """
    k.id, k.carrier_id, k.description, k.hint, k.environment, k.scopes, k.ip_allowlist, k.expires_at,
    k.created_at, k.created_by_kind, k.created_by_id, k.created_by_name,
    k.revoked_at, k.revoked_by_kind, k.revoked_by_id, k.revoked_by_name, k.revoked_reason,
    k.rotated_from_id, k.last_used_at, host(k.last_used_address) as last_used_address,
    k.version, k.updated_at
"""
check_columns(ApiKeyRow, COLUMNS)

# A page of keys may read only some columns (those the query's fields need); it always reads the id
# (a parent without keys comes back as one row with a null id).
ALWAYS = frozenset({"id"})
_SELECT = dict(zip(ApiKeyRow.__annotations__, (c.strip() for c in COLUMNS.split(",")), strict=True))


def select_list(columns: frozenset[str] | None) -> str:
    """The SELECT list for `columns` (every column when None), in ApiKeyRow's order."""
    if columns is None:
        return COLUMNS
    return ", ".join(sql for name, sql in _SELECT.items() if name in columns or name in ALWAYS)


class KeyOrder(enum.Enum):
    """What a list of keys is sorted by: when issued, when it expires (never: last), when last used
    (never: first), how many requests it served in the last 30 days (counted by hour, USES_WINDOW)."""

    CREATED_AT = "k.created_at"
    EXPIRES_AT = "coalesce(k.expires_at, 'infinity'::timestamptz)"
    LAST_USED_AT = "coalesce(k.last_used_at, '-infinity'::timestamptz)"
    # Read from the lateral USES_JOIN (one index range per key on api_key_usage's primary key).
    USES_LAST_30_DAYS = "usage_.uses"

    @property
    def column(self) -> str:
        return self.name.lower()

    @property
    def key_type(self) -> str:
        """The SQL type a cursor's key is cast to."""
        return "bigint" if self is KeyOrder.USES_LAST_30_DAYS else "timestamptz"

    def key_of(self, key: ApiKeyRow) -> str:
        """The row's sort key as a cursor carries it (what PostgreSQL reads back as the key type)."""
        if self is KeyOrder.USES_LAST_30_DAYS:
            return str(key[self.column])
        value: datetime | None = getattr(key, self.column)
        if value is None:
            return "infinity" if self is KeyOrder.EXPIRES_AT else "-infinity"
        return value.isoformat()


# Uses over a period are requests served: refusals are not uses (as for the "unused" nudge). The window
# is the hours since the start of the current hour 30 days ago, so that every page of a list read within
# one hour sorts by the same numbers (a cursor stays meaningful) whatever the moment of each request.
USES_WINDOW = timedelta(days=30)
USES_JOIN = """cross join lateral (
        select coalesce(sum(u.uses), 0)::bigint as uses from api_key_usage u
        where u.key_id = k.id and u.outcome = 'SERVED' and u.hour >= {since}::timestamptz
    ) usage_"""


def uses_since(now: datetime) -> datetime:
    """The start of the hours whose counts USES_LAST_30_DAYS adds up at `now`."""
    return now.replace(minute=0, second=0, microsecond=0) - USES_WINDOW


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """Whether keys meet their carrier's effective key policy (`meets`), given the platform's level (the
    settings); the organization's and the carrier's levels are read with the keys."""

    meets: bool
    max_lifetime_days: int
    non_expiring_allowed: bool
    max_grace_period_seconds: int


def short_of_policy(check: PolicyCheck, at: str, parameters: Parameters) -> str:
    """SQL over `k`: the key is active and falls short of its carrier's effective policy now (`at`), as
    resolvers/key_policy.gaps judges it: each effective value is the strictest of the platform's
    (parameters), the organization's and the carrier's. A service key follows the platform's alone."""
    lifetime = parameters.add(check.max_lifetime_days)
    never = parameters.add(check.non_expiring_allowed)
    grace = parameters.add(check.max_grace_period_seconds)
    return f"""coalesce((
    select not (k.revoked_at is not null and k.revoked_at <= {at}::timestamptz)
       and not (k.expires_at is not null and k.expires_at <= {at}::timestamptz)
       and (not (k.scopes <@ coalesce(op.allowed_scopes, k.scopes)
                 and k.scopes <@ coalesce(cp.allowed_scopes, k.scopes))
            or (coalesce(cardinality(k.ip_allowlist), 0) = 0
                and (op.allowlist_required is true or cp.allowlist_required is true))
            or (k.expires_at is null
                and not ({never}::boolean and op.non_expiring_allowed is not false
                         and cp.non_expiring_allowed is not false))
            or k.expires_at > {at}::timestamptz
                + make_interval(days => least({lifetime}::integer, op.max_lifetime_days,
                                              cp.max_lifetime_days))
            or k.revoked_at > {at}::timestamptz
                + make_interval(secs => least({grace}::integer, op.max_grace_period_seconds,
                                              cp.max_grace_period_seconds)))
    from (select 1) as one_
    left join carriers pc on pc.id = k.carrier_id
    left join organization_key_policies op on op.organization_id = pc.organization_id
    left join carrier_key_policies cp on cp.carrier_id = k.carrier_id
), false)"""


@dataclass(frozen=True, slots=True)
class KeyFilter:
    """Which keys a list holds; every condition optional. `search` is a LIKE pattern (db/search.py)."""

    status: KeyStatus | None = None
    search: str | None = None
    # Active keys that expire by then.
    expiring_by: datetime | None = None
    scope: str | None = None
    # Keys never used, or last used before then.
    unused_since: datetime | None = None
    kind: KeyKind | None = None
    # Keys that meet their carrier's key policy, or (meets false) active keys that fall short of it.
    policy: PolicyCheck | None = None


@dataclass(frozen=True, slots=True)
class KeyListing:
    """Which keys of a carrier a list holds, in what order (the same for every carrier of a batch)."""

    where: KeyFilter = KeyFilter()
    order: KeyOrder = KeyOrder.CREATED_AT
    # Hashed once: it is part of every carrier's loader key, and a page of 50 carriers hashes those some
    # 250 times (three Python calls each: the dataclass's, the filter's, the order's).
    hashed: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashed", hash((self.where, self.order)))

    def __hash__(self) -> int:
        return self.hashed


class Parameters:
    """A statement's parameters as they are added: each `add` answers its `$n`."""

    def __init__(self, *values: object) -> None:
        self.values = list(values)

    def add(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def conditions(where: KeyFilter, now: datetime, parameters: Parameters) -> str:
    """The filter as SQL over `k` (with `now` as a parameter so that tests can move the clock)."""
    timed = where.status is not None or where.expiring_by is not None or where.policy is not None
    at = parameters.add(now) if timed else "now()"
    parts = ["true"]
    revoked = f"(k.revoked_at is not null and k.revoked_at <= {at}::timestamptz)"
    expired = f"(k.expires_at is not null and k.expires_at <= {at}::timestamptz)"
    if where.status is KeyStatus.REVOKED:
        parts.append(revoked)
    elif where.status is KeyStatus.EXPIRED:
        parts.append(f"not {revoked} and {expired}")
    elif where.status is KeyStatus.ACTIVE:
        parts.append(f"not {revoked} and not {expired}")
    if where.search is not None:
        pattern = parameters.add(where.search)
        parts.append(
            f"(k.description ilike '%' || {pattern}::text || '%' escape '\\' "
            f"or k.hint ilike '%' || {pattern}::text || '%' escape '\\')"
        )
    if where.expiring_by is not None:
        by = parameters.add(where.expiring_by)
        parts.append(f"not {revoked} and not {expired} and k.expires_at <= {by}::timestamptz")
    if where.scope is not None:
        parts.append(f"{parameters.add(where.scope)}::text = any(k.scopes)")
    if where.unused_since is not None:
        since = parameters.add(where.unused_since)
        parts.append(f"(k.last_used_at is null or k.last_used_at < {since}::timestamptz)")
    if where.kind is not None:
        parts.append(f"k.carrier_id is {'not ' if where.kind is KeyKind.CARRIER else ''}null")
    if where.policy is not None:
        short = short_of_policy(where.policy, at, parameters)
        parts.append(f"not {short}" if where.policy.meets else short)
    return " and ".join(parts)


# A service key has no carrier: only those who reach every carrier (staff) see it.
IN_SCOPE = """(case when k.carrier_id is null then $1 else exists (
    select 1 from carriers c
    where c.id = k.carrier_id and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)) end)"""

BY_IDS = f"select {COLUMNS} from api_keys k where k.id = any($4::uuid[]) and {IN_SCOPE}"

# Authentication looks a key up before anyone is known: no scope, by the unique hash only; with whether
# its carrier's API access feature ($2) is on (null: no such feature, or a service key), in the same
# statement.
# A key with whether its carrier's API access feature ($2) is on: what authenticating with it reads.
VERIFIED = f"""
select {COLUMNS}, (
    select {EFFECTIVE_VALUE}
    from carriers c
    join features f on f.key = $2
    {SETTINGS}
    where c.id = k.carrier_id
) as api_access
from api_keys k"""
BY_SECRET_HASH = f"{VERIFIED} where k.secret_hash = $1"
VERIFIED_BY_ID = f"{VERIFIED} where k.id = $1"

# Reach is a property of the carrier: checked once per parent here, not per key in each lateral.
PAGE_BY_CARRIER_IDS = """
select p_.id as parent_id, t.total, k_.*
from unnest($4::uuid[]) as p_(id)
join carriers c on c.id = p_.id and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
cross join lateral (
    select count(*) as total from api_keys k where k.carrier_id = p_.id and {where}
) t
left join lateral (
    select {columns} from api_keys k {join}
    where k.carrier_id = p_.id and {where} and {keyset}
    order by {order_by} limit {limit}
) k_ on true
"""

# Every key in reach (staff: of every carrier, and the service keys), one page.
PAGE = """
with total as (
    select count(*) as n from api_keys k left join carriers c on c.id = k.carrier_id
    where carrier_in_scope(k.carrier_id, c.organization_id, $1, $2, $3) and {where}
)
select total.n as total, p.*
from total
left join lateral (
    select {columns} from api_keys k left join carriers c on c.id = k.carrier_id {join}
    where carrier_in_scope(k.carrier_id, c.organization_id, $1, $2, $3) and {where} and {keyset}
    order by {order_by} limit {limit}
) p on true
"""


async def by_ids(conn: Connection, *, reach: Reach, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ApiKeyRow]:
    records = await conn.fetch(BY_IDS, *reach.params(), list(ids), record_class=ApiKeyRow)
    return {r.id: r for r in records}


@dataclass(frozen=True, slots=True)
class VerifiedKey:
    row: ApiKeyRow
    # Whether the carrier's API access feature is on; None where the catalogue has no such feature.
    api_access: bool | None


async def by_secret_hash(conn: Connection, *, secret_hash: bytes, access_feature: str) -> VerifiedKey | None:
    record = await conn.fetchrow(BY_SECRET_HASH, secret_hash, access_feature, record_class=ApiKeyRow)
    return VerifiedKey(record, record["api_access"]) if record is not None else None


async def verified_by_id(conn: Connection, *, key_id: uuid.UUID, access_feature: str) -> VerifiedKey | None:
    """The key as authenticating with it would read it now (a subscription re-reads it per event)."""
    record = await conn.fetchrow(VERIFIED_BY_ID, key_id, access_feature, record_class=ApiKeyRow)
    return VerifiedKey(record, record["api_access"]) if record is not None else None


async def pages_by_carrier_ids(
    conn: Connection,
    *,
    reach: Reach,
    carrier_ids: Sequence[uuid.UUID],
    where: KeyFilter,
    order: KeyOrder,
    now: datetime,
    page: PageRequest,
    columns: frozenset[str] | None = None,
) -> dict[uuid.UUID, Page[ApiKeyRow]]:
    """Reading a column outside `columns` (None: all) from one of these rows raises KeyError."""
    parameters = Parameters(*reach.params(), list(carrier_ids))
    sql = _page_sql(PAGE_BY_CARRIER_IDS, where, order, now, page, columns, parameters)
    records = await conn.fetch(sql, *parameters.values, record_class=ApiKeyRow)
    return group_pages(records, carrier_ids, page, None)


async def page_in_reach(
    conn: Connection,
    *,
    reach: Reach,
    where: KeyFilter,
    order: KeyOrder,
    now: datetime,
    page: PageRequest,
    columns: frozenset[str] | None = None,
) -> Page[ApiKeyRow]:
    """One page of every key in the caller's reach."""
    parameters = Parameters(*reach.params())
    sql = _page_sql(PAGE, where, order, now, page, columns, parameters)
    records = await conn.fetch(sql, *parameters.values, record_class=ApiKeyRow)
    return to_page([r for r in records if r["id"] is not None], page, records[0]["total"])


def _page_sql(  # noqa: PLR0917 - the two readers above pass their page through
    template: str,
    where: KeyFilter,
    order: KeyOrder,
    now: datetime,
    page: PageRequest,
    columns: frozenset[str] | None,
    parameters: Parameters,
) -> str:
    condition = conditions(where, now, parameters)
    join = ""
    if order is KeyOrder.USES_LAST_30_DAYS:
        join = USES_JOIN.format(since=parameters.add(uses_since(now)))
    keyset = Keyset.render(
        page,
        sort=order.value,
        id_column="k.id",
        key_type=order.key_type,
        first_param=len(parameters.values) + 1,
        newest_first=page.descending,
    )
    parameters.values += keyset.params
    # The order's column is read only when `columns` names it (a page's cursors are made of it): a
    # nested query's 1,000 keys without cursors decode no 1,000 timestamps for nothing.
    selected = select_list(columns)
    if join:
        selected += f", {order.value} as {order.column}"
    return template.format(
        columns=selected,
        join=join,
        where=condition,
        keyset=keyset.where,
        order_by=keyset.order_by,
        limit=keyset.limit,
    )


INSERT = f"""
insert into api_keys as k
    (carrier_id, description, secret_hash, hint, environment, scopes, ip_allowlist, expires_at, created_at,
     created_by_kind, created_by_id, created_by_name, rotated_from_id, idempotency_key, updated_at)
values ($1, $2, $3, $4, $5, $6, $7::cidr[], $8, $9, $10, $11, $12, $13, $14, $9)
returning {COLUMNS}
"""

# The carrier's keys, or with $1 null the service keys: two forms, so that each uses its index.
BY_IDEMPOTENCY_KEY = f"select {COLUMNS} from api_keys k where k.carrier_id = $1 and k.idempotency_key = $2"
SERVICE_BY_IDEMPOTENCY_KEY = f"""
select {COLUMNS} from api_keys k where k.carrier_id is null and k.idempotency_key = $2 and $1::uuid is null
"""

COUNT_ACTIVE = """
select count(*) from api_keys k
where k.carrier_id = $1 and (k.revoked_at is null or k.revoked_at > $2)
  and (k.expires_at is null or k.expires_at > $2)
"""
SERVICE_COUNT_ACTIVE = """
select count(*) from api_keys k
where k.carrier_id is null and $1::uuid is null and (k.revoked_at is null or k.revoked_at > $2)
  and (k.expires_at is null or k.expires_at > $2)
"""

FOR_UPDATE = f"select {COLUMNS} from api_keys k where k.id = $1 for update"

# A null argument keeps the current value; $6 clears the expiry (a key that never expires).
UPDATE = f"""
update api_keys k set
    description = coalesce($2, k.description),
    ip_allowlist = coalesce($3::cidr[], k.ip_allowlist),
    scopes = coalesce($4, k.scopes),
    expires_at = case when $6 then null else coalesce($5, k.expires_at) end,
    version = k.version + 1,
    updated_at = $7
where k.id = $1
returning {COLUMNS}
"""

REVOKE = f"""
update api_keys k set
    revoked_at = $2, revoked_by_kind = $3, revoked_by_id = $4, revoked_by_name = $5, revoked_reason = $6,
    version = k.version + 1, updated_at = $7
where k.id = $1
returning {COLUMNS}
"""

# Last use, written in batches: never moves backwards, whatever order the batches arrive in.
TOUCH_LAST_USED = """
update api_keys k set last_used_at = u.at, last_used_address = u.address::inet
from unnest($1::uuid[], $2::timestamptz[], $3::text[]) as u(id, at, address)
where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)
"""


@dataclass(frozen=True, slots=True)
class NewKey:
    carrier_id: uuid.UUID | None
    description: str
    secret_hash: bytes
    hint: str
    environment: str
    scopes: list[str]
    ip_allowlist: list[str]
    expires_at: datetime | None
    created_at: datetime
    created_by: tuple[str, str | None, str | None]
    rotated_from_id: uuid.UUID | None = None
    idempotency_key: str | None = None


async def insert(conn: Connection, key: NewKey) -> ApiKeyRow:
    record = await conn.fetchrow(
        INSERT,
        key.carrier_id,
        key.description,
        key.secret_hash,
        key.hint,
        key.environment,
        key.scopes,
        key.ip_allowlist,
        key.expires_at,
        key.created_at,
        *key.created_by,
        key.rotated_from_id,
        key.idempotency_key,
        record_class=ApiKeyRow,
    )
    assert record is not None  # an insert returns its row
    return record


async def by_idempotency_key(
    conn: Connection, *, carrier_id: uuid.UUID | None, idempotency_key: str
) -> ApiKeyRow | None:
    """The key made with this idempotency key for the carrier (None: among the service keys)."""
    sql = BY_IDEMPOTENCY_KEY if carrier_id is not None else SERVICE_BY_IDEMPOTENCY_KEY
    return await conn.fetchrow(sql, carrier_id, idempotency_key, record_class=ApiKeyRow)


async def count_active(conn: Connection, *, carrier_id: uuid.UUID | None, now: datetime) -> int:
    """Active keys of the carrier (None: active service keys)."""
    sql = COUNT_ACTIVE if carrier_id is not None else SERVICE_COUNT_ACTIVE
    count: int = await conn.fetchval(sql, carrier_id, now)
    return count


COUNT_ACTIVE_BY_CARRIERS = """
select k.carrier_id, count(*) as active from api_keys k
where k.carrier_id = any($1::uuid[]) and (k.revoked_at is null or k.revoked_at > $2)
  and (k.expires_at is null or k.expires_at > $2)
group by k.carrier_id
"""


async def count_active_by_carriers(
    conn: Connection, *, carrier_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, int]:
    """Active keys (those in a grace period included) per carrier; carriers with none are absent."""
    records = await conn.fetch(COUNT_ACTIVE_BY_CARRIERS, list(carrier_ids), now)
    return {r["carrier_id"]: r["active"] for r in records}


# pg_advisory_xact_lock's key for changes to service keys (they have no carrier row to lock).
SERVICE_KEYS_LOCK = 7_215_301_003


async def lock_service_keys(conn: Connection) -> None:
    """Service key changes queue up, as one carrier's key changes do behind its row lock."""
    await conn.execute("select pg_advisory_xact_lock($1)", SERVICE_KEYS_LOCK)


async def lock(conn: Connection, *, key_id: uuid.UUID) -> ApiKeyRow | None:
    return await conn.fetchrow(FOR_UPDATE, key_id, record_class=ApiKeyRow)


async def update(
    conn: Connection,
    *,
    key_id: uuid.UUID,
    description: str | None,
    ip_allowlist: list[str] | None,
    scopes: list[str] | None,
    expires_at: datetime | None,
    clear_expiry: bool,
    now: datetime,
) -> ApiKeyRow:
    record = await conn.fetchrow(
        UPDATE,
        key_id,
        description,
        ip_allowlist,
        scopes,
        expires_at,
        clear_expiry,
        now,
        record_class=ApiKeyRow,
    )
    assert record is not None  # the caller holds the key's row lock
    return record


async def revoke(
    conn: Connection,
    *,
    key_id: uuid.UUID,
    at: datetime,
    by: tuple[str, str | None, str | None],
    reason: str,
    now: datetime,
) -> ApiKeyRow:
    record = await conn.fetchrow(REVOKE, key_id, at, *by, reason, now, record_class=ApiKeyRow)
    assert record is not None  # the caller holds the key's row lock
    return record


async def touch_last_used(conn: Connection, uses: Sequence[tuple[uuid.UUID, datetime, str | None]]) -> None:
    if not uses:
        return
    ids, times, addresses = zip(*uses, strict=True)
    await conn.execute(TOUCH_LAST_USED, list(ids), list(times), list(addresses))


# Every key of one carrier, oldest first: for the CSV export, read through a cursor.
OF_CARRIER = f"select {COLUMNS} from api_keys k where k.carrier_id = $1 order by k.created_at, k.id"


async def of_carrier(conn: Connection, *, carrier_id: uuid.UUID) -> AsyncIterator[ApiKeyRow]:
    """Every key of the carrier, a few hundred rows at a time (the caller holds a transaction)."""
    async for record in conn.cursor(OF_CARRIER, carrier_id, prefetch=500, record_class=ApiKeyRow):
        yield record


# How many active keys fall short of their carrier's policy, per owner: a carrier (`c.id`), or an
# organization (`c.organization_id`, over its carriers in reach). $1 to $3: reach; $4: the owners; $5: now.
SHORT_BY_OWNER = """
select {owner} as owner, count(k.id) as n
from carriers c
join api_keys k on k.carrier_id = c.id and {short}
where {owner} = any($4::uuid[]) and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
group by {owner}
"""


async def short_of_policy_counts(  # noqa: PLR0917 - one caller, the loader's batch
    conn: Connection,
    reach: Reach,
    owner_ids: Sequence[uuid.UUID],
    organizations: bool,
    check: PolicyCheck,
    now: datetime,
) -> dict[uuid.UUID, int]:
    """Per carrier (or, `organizations`, per organization): its active keys in reach that fall short of
    their carrier's effective policy, in one statement."""
    parameters = Parameters(*reach.params(), list(owner_ids), now)
    short = short_of_policy(check, "$5", parameters)
    owner = "c.organization_id" if organizations else "c.id"
    records = await conn.fetch(SHORT_BY_OWNER.format(owner=owner, short=short), *parameters.values)
    return {r["owner"]: r["n"] for r in records}
