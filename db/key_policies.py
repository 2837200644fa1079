"""SQL for `organization_key_policies` and `carrier_key_policies`: what each level of the key policy says
(an organization for its carriers, staff for one carrier). The platform's level is the settings'."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.pool import Connection
from db.rows import check_columns, row


@dataclass(frozen=True, slots=True)
class KeyPolicyRow:
    """One level's own key policy; a null says nothing (the level above decides)."""

    owner_id: uuid.UUID
    max_lifetime_days: int | None
    allowlist_required: bool | None
    allowed_scopes: list[str] | None  # stored spelling (keys:read)
    max_grace_period_seconds: int | None
    non_expiring_allowed: bool | None
    version: int
    updated_at: datetime
    updated_by_kind: str
    updated_by_id: str | None
    updated_by_name: str | None


@dataclass(frozen=True, slots=True)
class PolicyValues:
    """What a level is set to say (a mutation's input, checked)."""

    max_lifetime_days: int | None = None
    allowlist_required: bool | None = None
    allowed_scopes: list[str] | None = None
    max_grace_period_seconds: int | None = None
    non_expiring_allowed: bool | None = None


@dataclass(frozen=True, slots=True)
class CarrierLevels:
    """A carrier's organization's policy and its own, as they are now."""

    carrier_id: uuid.UUID
    organization_id: uuid.UUID | None
    organization: KeyPolicyRow | None
    carrier: KeyPolicyRow | None


VALUES = (
    "max_lifetime_days, allowlist_required, allowed_scopes, max_grace_period_seconds, non_expiring_allowed"
)


def _columns(alias: str, owner: str) -> str:
    return (
        f"{alias}.{owner} as owner_id, "
        + ", ".join(f"{alias}.{name.strip()}" for name in VALUES.split(","))
        + f", {alias}.version, {alias}.updated_at, {alias}.updated_by_kind, {alias}.updated_by_id, "
        f"{alias}.updated_by_name"
    )


ORGANIZATION_COLUMNS = _columns("p", "organization_id")
CARRIER_COLUMNS = _columns("p", "carrier_id")
check_columns(KeyPolicyRow, ORGANIZATION_COLUMNS)
check_columns(KeyPolicyRow, CARRIER_COLUMNS)
FIELDS = len(KeyPolicyRow.__dataclass_fields__)

# Both levels of many carriers in one statement (the callers have already judged reach: the ids are of
# carriers in it).
LEVELS_OF_CARRIERS = f"""
select c.id as carrier, c.organization_id as organization,
       {_columns("op", "organization_id")}, {_columns("cp", "carrier_id")}
from carriers c
left join organization_key_policies op on op.organization_id = c.organization_id
left join carrier_key_policies cp on cp.carrier_id = c.id
where c.id = any($1::uuid[])
"""

OF_ORGANIZATIONS = f"""
select {ORGANIZATION_COLUMNS} from organization_key_policies p where p.organization_id = any($1::uuid[])
"""


def _upsert(table: str, owner: str) -> str:
    return f"""
insert into {table} as p ({owner}, {VALUES}, updated_by_kind, updated_by_id, updated_by_name)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
on conflict ({owner}) do update set
    max_lifetime_days = excluded.max_lifetime_days,
    allowlist_required = excluded.allowlist_required,
    allowed_scopes = excluded.allowed_scopes,
    max_grace_period_seconds = excluded.max_grace_period_seconds,
    non_expiring_allowed = excluded.non_expiring_allowed,
    version = p.version + 1,
    updated_at = now(),
    updated_by_kind = excluded.updated_by_kind,
    updated_by_id = excluded.updated_by_id,
    updated_by_name = excluded.updated_by_name
returning {_columns("p", owner)}
"""


SET_ORGANIZATION = _upsert("organization_key_policies", "organization_id")
SET_CARRIER = _upsert("carrier_key_policies", "carrier_id")


def _level(record: asyncpg.Record, start: int) -> KeyPolicyRow | None:
    values = tuple(record)
    part = values[start : start + FIELDS]
    return KeyPolicyRow(*part) if part[0] is not None else None


async def levels_of_carriers(
    conn: Connection, *, carrier_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CarrierLevels]:
    records = await conn.fetch(LEVELS_OF_CARRIERS, list(carrier_ids))
    return {
        r["carrier"]: CarrierLevels(r["carrier"], r["organization"], _level(r, 2), _level(r, 2 + FIELDS))
        for r in records
    }


async def of_organizations(
    conn: Connection, *, organization_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, KeyPolicyRow]:
    records = await conn.fetch(OF_ORGANIZATIONS, list(organization_ids))
    return {r["owner_id"]: row(KeyPolicyRow, r) for r in records}


async def set_policy(
    conn: Connection,
    *,
    carrier: bool,
    owner_id: uuid.UUID,
    values: PolicyValues,
    actor: tuple[str, str | None, str | None],
) -> KeyPolicyRow:
    """Replace what one level says (the organization's, or a carrier's when `carrier`)."""
    record = await conn.fetchrow(
        SET_CARRIER if carrier else SET_ORGANIZATION,
        owner_id,
        values.max_lifetime_days,
        values.allowlist_required,
        values.allowed_scopes,
        values.max_grace_period_seconds,
        values.non_expiring_allowed,
        *actor,
    )
    return row(KeyPolicyRow, record)
