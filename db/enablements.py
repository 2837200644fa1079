"""SQL for `carrier_enablements` and `organization_enablements`, and the effective value of each feature.

Effective value = the carrier's own setting, else its organization's, else the feature's default; the
source says which. One statement covers any number of carriers (or organizations) and every feature.
"""

from __future__ import annotations

import enum
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Protocol

import asyncpg

from access.principal import Reach
from db import features, organizations
from db.features import FeatureRow, KnownFeatures
from db.pool import Connection
from db.rows import record_columns


class Source(enum.Enum):
    CARRIER = "CARRIER"
    ORGANIZATION = "ORGANIZATION"
    DEFAULT = "DEFAULT"


# The rule in SQL, for a carrier `c` and a feature `f`: the settings that decide it (the carrier's own
# `ce`, its organization's `oe`), the effective value, and the level it comes from (a Source).
def settings_among(carrier_ids: str | None = None, organization_ids: str | None = None) -> str:
    """The settings' joins; given SQL arrays of the carriers read and of their organizations, each table
    is read only for those. Joined by `c` and `f` alone, PostgreSQL may hash all of carrier_enablements
    to read a page of ten carriers (25,400 rows for 150 in the benchmark): a read's cost then grows with
    every carrier's settings, not with those it reads (tests/db/test_enablement_reads_scale.py)."""
    carriers = f" and ce.carrier_id = any({carrier_ids})" if carrier_ids else ""
    organizations = f" and oe.organization_id = any({organization_ids})" if organization_ids else ""
    return f"""left join carrier_enablements ce on ce.carrier_id = c.id and ce.feature_id = f.id{carriers}
left join organization_enablements oe
       on oe.organization_id = c.organization_id and oe.feature_id = f.id{organizations}"""


def organizations_of(carrier_ids: str) -> str:
    """The SQL array of the organizations of the carriers in the SQL array `carrier_ids`, each once: the
    organizations' settings are filtered by it row by row, and a page of 100 carriers of one organization
    named it 100 times (a quarter of the statement's time)."""
    return f"array(select distinct r.organization_id from carriers r where r.id = any({carrier_ids}))"


# For statements about one carrier, whose joins PostgreSQL makes by the primary keys.
SETTINGS = settings_among()
EFFECTIVE_VALUE = "coalesce(ce.enabled, oe.enabled, f.default_enabled)"
EFFECTIVE_SOURCE = """case when ce.enabled is not null then 'CARRIER'
            when oe.enabled is not null then 'ORGANIZATION'
            else 'DEFAULT' end"""


SOURCES = {source.value: source for source in Source}


class EnablementState(enum.Enum):
    """A setting at one level: on, off, or no row at all (inherit from the level above)."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    INHERIT = "INHERIT"

    @classmethod
    def from_setting(cls, setting: bool | None) -> EnablementState:
        return STATES[setting]


# A lookup, not two branches and a call: a nested query reads 750 of them.
STATES = {None: EnablementState.INHERIT, True: EnablementState.ENABLED, False: EnablementState.DISABLED}


@record_columns
class EnablementRow(asyncpg.Record):
    """One feature for one carrier (or organization): its own setting and the effective value.

    The record asyncpg decoded, nothing copied: a nested query reads one per carrier and feature.
    The updated_* columns are there only when read `with_updates` (else reading one raises KeyError)."""

    owner_id: uuid.UUID
    # The feature by its key, as the catalogue names it (unique and never changed): a nested query looks
    # 750 of them up, and a text hashes in a fraction of a freshly decoded UUID's time (0.24 µs).
    feature_key: str
    # The feature's id and version as this row's effective value saw it (its default may have been used).
    feature_id: uuid.UUID
    feature_version: int
    # The owner's own setting: True, False, or None for INHERIT.
    setting: bool | None
    effective: bool
    source_name: str
    updated_at: datetime | None
    updated_by_kind: str | None
    updated_by_id: str | None
    updated_by_name: str | None

    @property
    def source(self) -> Source:
        return SOURCES[self.source_name]


@dataclass(frozen=True, slots=True)
class OwnerEnablements:
    """One owner's enablements, in feature key order, and the features they name."""

    rows: list[EnablementRow]
    # The catalogue by feature key, read once per batch and shared by every owner in it.
    features: dict[str, FeatureRow]

    def feature(self, row: EnablementRow) -> FeatureRow:
        return self.features[row.feature_key]


FOR_CARRIERS = f"""
select c.id as owner_id, f.key as feature_key, f.id as feature_id, f.version as feature_version,
       ce.enabled as setting,
       {EFFECTIVE_VALUE} as effective,
       {EFFECTIVE_SOURCE} as source_name{{updates}}
from carriers c
cross join features f
{settings_among("$4::uuid[]", organizations_of("$4::uuid[]"))}
where c.id = any($4::uuid[]) and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
order by c.id, f.key
"""

# Who changed a setting and when: read only when asked for (four columns of 750 rows in a nested query).
CARRIER_UPDATES = ", ce.updated_at, ce.updated_by_kind, ce.updated_by_id, ce.updated_by_name"
ORGANIZATION_UPDATES = ", oe.updated_at, oe.updated_by_kind, oe.updated_by_id, oe.updated_by_name"

FOR_ORGANIZATIONS = f"""
select o.id as owner_id, f.key as feature_key, f.id as feature_id, f.version as feature_version,
       oe.enabled as setting,
       coalesce(oe.enabled, f.default_enabled) as effective,
       case when oe.enabled is not null then 'ORGANIZATION' else 'DEFAULT' end as source_name{{updates}}
from organizations o
cross join features f
left join organization_enablements oe
       on oe.organization_id = o.id and oe.feature_id = f.id and oe.organization_id = any($4::uuid[])
where o.id = any($4::uuid[]) and {organizations.in_reach("o.id")}
order by o.id, f.key
"""


_OWNER = operator.itemgetter("owner_id")
_FEATURE = operator.itemgetter("feature_key")
_SEEN = operator.itemgetter("feature_key", "feature_id", "feature_version")


async def _grouped(
    conn: Connection, sql: str, reach: Reach, owner_ids: Sequence[uuid.UUID], known: KnownFeatures | None
) -> dict[uuid.UUID, OwnerEnablements]:
    # Only what others may see is kept: rows read inside a transaction may be its own changes, undone
    # if it rolls back (and a feature's next change would then bring the same id and version back).
    committed = not conn.is_in_transaction()
    records, catalogue = await _read(conn, sql, reach, owner_ids, known)
    if _changed_since(records, catalogue):
        # A feature changed between the two statements: its default would disagree with the effective
        # values computed from it. Read both again from one snapshot (rare: the catalogue is the vendor's).
        if conn.is_in_transaction():
            records, catalogue = await _read(conn, sql, reach, owner_ids, None)
        else:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                records, catalogue = await _read(conn, sql, reach, owner_ids, None)
    if known is not None and committed:
        known.keep(catalogue.values())
    # The statements order their rows by owner: each owner's rows are one run.
    return {owner_id: OwnerEnablements(list(rows), catalogue) for owner_id, rows in groupby(records, _OWNER)}


async def _read(
    conn: Connection, sql: str, reach: Reach, owner_ids: Sequence[uuid.UUID], known: KnownFeatures | None
) -> tuple[list[EnablementRow], dict[str, FeatureRow]]:
    records = await conn.fetch(sql, *reach.params(), list(owner_ids), record_class=EnablementRow)
    if not records:
        return records, {}
    # Every owner lists the same catalogue: its rows are read once (one more statement), not once per
    # owner and feature (50 carriers by 15 features decoded 750 copies of eight columns: 3 ms of CPU),
    # and not at all while the application knows each feature as the rows saw it.
    first = _first_owner(records)
    catalogue = known.catalogue(map(_SEEN, first)) if known is not None else None
    if catalogue is None:
        catalogue = await features.by_keys(conn, keys=list(map(_FEATURE, first)))
    return records, catalogue


def _first_owner(records: list[EnablementRow]) -> list[EnablementRow]:
    """The first owner's rows. Each owner's rows are the whole catalogue (`cross join features`), read in
    one statement and so from one snapshot: the first owner's name every feature, at the version every
    row saw (15 rows to look at rather than 750)."""
    return list(next(groupby(records, _OWNER))[1]) if records else []


def _changed_since(records: list[EnablementRow], catalogue: dict[str, FeatureRow]) -> bool:
    """Whether a feature the rows saw changed (or went) before the catalogue was read."""
    for feature_key, feature_id, version in map(_SEEN, _first_owner(records)):
        feature = catalogue.get(feature_key)
        if feature is None or feature.id != feature_id or feature.version != version:
            return True
    return False


class ReadEnablements(Protocol):
    async def __call__(
        self,
        conn: Connection,
        *,
        reach: Reach,
        owner_ids: Sequence[uuid.UUID],
        with_updates: bool,
        known: KnownFeatures | None,
    ) -> dict[uuid.UUID, OwnerEnablements]: ...


async def for_carriers(
    conn: Connection,
    *,
    reach: Reach,
    owner_ids: Sequence[uuid.UUID],
    with_updates: bool = True,
    known: KnownFeatures | None = None,
) -> dict[uuid.UUID, OwnerEnablements]:
    """The carriers' enablements; `known`: the application's catalogue, read again only where it changed."""
    sql = FOR_CARRIERS.format(updates=CARRIER_UPDATES if with_updates else "")
    return await _grouped(conn, sql, reach, owner_ids, known)


async def for_organizations(
    conn: Connection,
    *,
    reach: Reach,
    owner_ids: Sequence[uuid.UUID],
    with_updates: bool = True,
    known: KnownFeatures | None = None,
) -> dict[uuid.UUID, OwnerEnablements]:
    sql = FOR_ORGANIZATIONS.format(updates=ORGANIZATION_UPDATES if with_updates else "")
    return await _grouped(conn, sql, reach, owner_ids, known)


@dataclass(frozen=True, slots=True)
class OwnSettings:
    """One level's own settings (a carrier's, or an organization's): a row per owner and feature, and
    INHERIT is the absence of one. The two levels' tables differ only in the column naming the owner."""

    own: str
    set: str
    clear: str


def _own_settings(table: str, owner: str) -> OwnSettings:
    return OwnSettings(
        own=f"select enabled from {table} where {owner} = $1 and feature_id = $2",
        set=f"""
insert into {table} as e
    ({owner}, feature_id, enabled, updated_at, updated_by_kind, updated_by_id, updated_by_name)
values ($1, $2, $3, now(), $4, $5, $6)
on conflict ({owner}, feature_id) do update set
    enabled = excluded.enabled, updated_at = now(), updated_by_kind = excluded.updated_by_kind,
    updated_by_id = excluded.updated_by_id, updated_by_name = excluded.updated_by_name
""",
        clear=f"delete from {table} where {owner} = $1 and feature_id = $2",
    )


CARRIER_SETTINGS = _own_settings("carrier_enablements", "carrier_id")
ORGANIZATION_SETTINGS = _own_settings("organization_enablements", "organization_id")

# Effective values of (carrier, feature) pairs, to show a person what a change did. A null argument
# widens the set: no carrier list means every carrier (of the organization, when one is given).
EFFECTIVE = f"""
select c.id as carrier_id, f.id as feature_id,
       {EFFECTIVE_VALUE} as effective,
       {EFFECTIVE_SOURCE} as source
from carriers c
cross join features f
{SETTINGS}
where ($1::uuid[] is null or c.id = any($1))
  and ($2::uuid is null or c.organization_id = $2)
  and ($3::uuid is null or f.id = $3)
"""


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str
    id: str | None
    name: str | None


async def set_own(
    conn: Connection,
    level: OwnSettings,
    *,
    owner_id: uuid.UUID,
    feature_id: uuid.UUID,
    enabled: bool | None,
    actor: Actor,
) -> None:
    """Set one level's own setting of a feature: True, False, or None (INHERIT: no row)."""
    if enabled is None:
        await conn.execute(level.clear, owner_id, feature_id)
    else:
        await conn.execute(level.set, owner_id, feature_id, enabled, actor.kind, actor.id, actor.name)


Effective = dict[tuple[uuid.UUID, uuid.UUID], tuple[bool, Source]]


async def effective(
    conn: Connection,
    *,
    carrier_ids: Sequence[uuid.UUID] | None = None,
    organization_id: uuid.UUID | None = None,
    feature_id: uuid.UUID | None = None,
) -> Effective:
    records = await conn.fetch(
        EFFECTIVE, list(carrier_ids) if carrier_ids is not None else None, organization_id, feature_id
    )
    return {(r["carrier_id"], r["feature_id"]): (r["effective"], Source(r["source"])) for r in records}


# A carrier's effective values were it in another organization ($2; null: in none), beside its values now:
# what attaching, moving or detaching it would change, worked out without changing anything.
EFFECTIVE_IF_IN = """
select f.id as feature_id,
       coalesce(ce.enabled, now_oe.enabled, f.default_enabled) as effective_now,
       coalesce(ce.enabled, then_oe.enabled, f.default_enabled) as effective_then,
       case when ce.enabled is not null then 'CARRIER'
            when then_oe.enabled is not null then 'ORGANIZATION'
            else 'DEFAULT' end as source
from carriers c
cross join features f
left join carrier_enablements ce on ce.carrier_id = c.id and ce.feature_id = f.id
left join organization_enablements now_oe
       on now_oe.organization_id = c.organization_id and now_oe.feature_id = f.id
left join organization_enablements then_oe on then_oe.organization_id = $2 and then_oe.feature_id = f.id
where c.id = $1
order by f.key
"""


async def effective_if_in(
    conn: Connection, *, carrier_id: uuid.UUID, organization_id: uuid.UUID | None
) -> tuple[Effective, Effective]:
    """(effective values now, effective values were the carrier in `organization_id`), by (carrier,
    feature), as `effective` reads them."""
    records = await conn.fetch(EFFECTIVE_IF_IN, carrier_id, organization_id)
    now: Effective = {}
    then: Effective = {}
    for r in records:
        pair = (carrier_id, r["feature_id"])
        now[pair] = (r["effective_now"], Source.DEFAULT)  # the source now is not what is asked
        then[pair] = (r["effective_then"], Source(r["source"]))
    return now, then


async def own_setting(
    conn: Connection, level: OwnSettings, *, owner_id: uuid.UUID, feature_id: uuid.UUID
) -> bool | None:
    """One level's own setting of a feature: True, False, or None (INHERIT)."""
    value: bool | None = await conn.fetchval(level.own, owner_id, feature_id)
    return value


FEATURE_EFFECTIVE = f"""
select {EFFECTIVE_VALUE}
from carriers c
join features f on f.key = $2
{SETTINGS}
where c.id = $1
"""


async def feature_effective(conn: Connection, *, carrier_id: uuid.UUID, feature_key: str) -> bool | None:
    """Whether a catalogue feature is on for a carrier; None when there is no such feature."""
    value: bool | None = await conn.fetchval(FEATURE_EFFECTIVE, carrier_id, feature_key)
    return value


FEATURE_EFFECTIVE_MANY = f"""
select c.id, {EFFECTIVE_VALUE} as effective
from carriers c
join features f on f.key = $2
{settings_among("$1::uuid[]", organizations_of("$1::uuid[]"))}
where c.id = any($1::uuid[])
"""


async def feature_effective_for(
    conn: Connection, *, carrier_ids: Sequence[uuid.UUID], feature_key: str
) -> dict[uuid.UUID, bool]:
    """Whether a catalogue feature is on, per carrier; empty when there is no such feature."""
    records = await conn.fetch(FEATURE_EFFECTIVE_MANY, list(carrier_ids), feature_key)
    return {r["id"]: r["effective"] for r in records}


# Other services' bulk read: chosen features (null: all) for any number of carriers, named by id or by
# code, in one statement. Carriers outside the caller's reach are left out as if they did not exist.
EFFECTIVE_FOR_MANY = f"""
with wanted as (
    -- By id, then by code, each through its index ("id or code" in one condition scans the table).
    select c.id, c.code, c.organization_id from carriers c
    where c.id = any($4::uuid[]) and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
    union
    select c.id, c.code, c.organization_id from carriers c
    where upper(c.code) = any($5::text[]) and carrier_in_scope(c.id, c.organization_id, $1, $2, $3)
)
select c.id as carrier_id, c.code, f.key,
       {EFFECTIVE_VALUE} as effective,
       {EFFECTIVE_SOURCE} as source_name
from wanted c  -- `c`, as the rule's fragments name the carrier
-- A carrier is listed even when none of the features asked for exists (one row, key null).
left join features f on $6::text[] is null or f.key = any($6::text[])
{settings_among("array(select id from wanted)", "array(select organization_id from wanted)")}
order by c.code, f.key
"""


@dataclass(frozen=True, slots=True)
class EffectiveFeature:
    key: str
    effective: bool
    source: Source


@dataclass(frozen=True, slots=True)
class CarrierFeatures:
    carrier_id: uuid.UUID
    code: str
    features: list[EffectiveFeature]


async def effective_for_many(
    conn: Connection,
    *,
    reach: Reach,
    carrier_ids: Sequence[uuid.UUID],
    codes: Sequence[str],
    feature_keys: Sequence[str] | None,
) -> dict[uuid.UUID, CarrierFeatures]:
    """The effective features of each carrier in reach among those named, by carrier id."""
    records = await conn.fetch(
        EFFECTIVE_FOR_MANY,
        *reach.params(),
        list(carrier_ids),
        [code.upper() for code in codes],
        list(feature_keys) if feature_keys is not None else None,
    )
    found: dict[uuid.UUID, CarrierFeatures] = {}
    for record in records:
        carrier = found.get(record["carrier_id"])
        if carrier is None:
            carrier = found[record["carrier_id"]] = CarrierFeatures(record["carrier_id"], record["code"], [])
        if record["key"] is not None:
            source = SOURCES[record["source_name"]]
            carrier.features.append(EffectiveFeature(record["key"], record["effective"], source))
    return found
