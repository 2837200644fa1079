"""SQL for `change_requests` (migration 0007): requests to Support for a change only staff may make.

Who sees a request: staff, every request; anyone else, the requests they made themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.principal import Principal
from db.pagination import Keyset, Page, PageRequest, page_statement, to_page
from db.pool import Connection
from db.rows import check_columns, row, row_or_none


@dataclass(frozen=True, slots=True)
class Proposed:
    """What a request proposes and what it concerns, as stored."""

    kind: str
    proposed: dict[str, Any]
    summary: str
    reason: str
    carrier_ids: list[uuid.UUID]
    organization_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ChangeRequestRow(Proposed):
    id: uuid.UUID
    requested_by_kind: str
    requested_by_id: str
    requested_by_name: str | None
    requested_at: datetime
    expires_at: datetime
    state: str
    decided_by_kind: str | None
    decided_by_id: str | None
    decided_by_name: str | None
    decided_at: datetime | None
    answer: str | None
    conflict: str | None
    version: int

    def state_at(self, now: datetime) -> str:
        """Its state as of `now`: an open request past its expiry is expired, whether or not the job
        (services/key_expiry_job.py) has marked it yet."""
        if self.state == "open" and self.expires_at <= now:
            return "expired"
        return self.state

    def requested_by(self, principal: Principal) -> bool:
        return (self.requested_by_kind, self.requested_by_id) == (principal.kind.value, principal.id)


@dataclass(frozen=True, slots=True)
class NewChangeRequest(Proposed):
    requested_by: tuple[str, str | None, str | None]
    requested_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RequestFilter:
    state: str | None = None
    kind: str | None = None
    carrier_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    # Requested at or before this moment (the queue's "older than").
    requested_before: datetime | None = None
    # Requested in [since, until).
    requested_since: datetime | None = None
    requested_until: datetime | None = None
    # Only the caller's own requests (staff see everyone's otherwise).
    mine: bool = False


COLUMNS = """
    r.kind, r.proposed, r.summary, r.reason, r.carrier_ids, r.organization_id, r.id, r.requested_by_kind,
    r.requested_by_id, r.requested_by_name, r.requested_at, r.expires_at, r.state, r.decided_by_kind,
    r.decided_by_id, r.decided_by_name, r.decided_at, r.answer, r.conflict, r.version
"""
check_columns(ChangeRequestRow, COLUMNS)

# $1: staff (sees all); $2, $3: the caller's kind and id (sees their own).
VISIBLE = "($1 or (r.requested_by_kind = $2 and r.requested_by_id = $3))"

INSERT = f"""
insert into change_requests as r
    (kind, proposed, summary, reason, carrier_ids, organization_id, requested_by_kind, requested_by_id,
     requested_by_name, requested_at, expires_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
returning {COLUMNS}
"""

LOCK = f"select {COLUMNS} from change_requests r where r.id = $1 for update"

BY_IDS = f"select {COLUMNS} from change_requests r where r.id = any($4::uuid[]) and {VISIBLE}"

# Open and past expiry counts as expired ($4: now), as `state_at` says. $1 to $3: VISIBLE's.
FILTERED = f"""
    from change_requests r
    where {VISIBLE}
      and ($5::text is null
           or (case when r.state = 'open' and r.expires_at <= $4 then 'expired' else r.state end) = $5)
      and ($6::text is null or r.kind = $6)
      and ($7::uuid is null or $7 = any(r.carrier_ids))
      and ($8::uuid is null or r.organization_id = $8)
      and ($9::timestamptz is null or r.requested_at <= $9)
      and ($10::timestamptz is null or r.requested_at >= $10)
      and ($11::timestamptz is null or r.requested_at < $11)
      and (not $12 or (r.requested_by_kind = $2 and r.requested_by_id = $3))
"""

# A page, newest first (keyset on requested_at, id), with the filtered list's total: one statement.
PAGE = page_statement(COLUMNS, FILTERED)

DECIDE = f"""
update change_requests r
set state = $2, decided_by_kind = $3, decided_by_id = $4, decided_by_name = $5, decided_at = $6,
    answer = $7, version = r.version + 1
where r.id = $1
returning {COLUMNS}
"""

NOTE_CONFLICT = f"""
update change_requests r set conflict = $2, version = r.version + 1 where r.id = $1 returning {COLUMNS}
"""

# pg_try_advisory_xact_lock's key for the expiry of requests (an arbitrary constant, as db/key_expiry.py's).
EXPIRY_LOCK_KEY = 7_215_301_026

# Mark the open requests past their expiry and write an event for each, in one statement (as the key
# expiry notices do, db/key_expiry.py).
EXPIRE = """
with due as (
    update change_requests r
    set state = 'expired', decided_at = r.expires_at, decided_by_kind = 'system', decided_by_id = 'system',
        decided_by_name = 'carrier-admin', version = r.version + 1
    where r.state = 'open' and r.expires_at <= $1
    returning r.id, r.kind, r.summary, r.carrier_ids, r.organization_id, r.requested_by_kind,
              r.requested_by_id, r.requested_by_name
)
insert into activity_log (actor_kind, actor_id, actor_name, actor_is_staff, action, target_type, target_id,
                          carrier_id, organization_id, after, requested_by)
select 'system', 'system', 'carrier-admin', true, 'changeRequest.expire', 'ChangeRequest', due.id,
       due.carrier_ids[1], due.organization_id,
       jsonb_build_object('kind', due.kind, 'summary', due.summary, 'state', 'EXPIRED'),
       jsonb_build_object('kind', due.requested_by_kind, 'id', due.requested_by_id,
                          'name', due.requested_by_name, 'changeRequestId', due.id)
from due
"""


def _visible(principal: Principal) -> tuple[bool, str, str | None]:
    return principal.is_staff, principal.kind.value, principal.id


async def insert(conn: Connection, new: NewChangeRequest) -> ChangeRequestRow:
    kind, actor_id, actor_name = new.requested_by
    record = await conn.fetchrow(
        INSERT,
        new.kind,
        new.proposed,
        new.summary,
        new.reason,
        new.carrier_ids,
        new.organization_id,
        kind,
        actor_id,
        actor_name,
        new.requested_at,
        new.expires_at,
    )
    return row(ChangeRequestRow, record)


async def lock(conn: Connection, *, request_id: uuid.UUID) -> ChangeRequestRow | None:
    return row_or_none(ChangeRequestRow, await conn.fetchrow(LOCK, request_id))


async def by_ids(
    conn: Connection, *, principal: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ChangeRequestRow]:
    records = await conn.fetch(BY_IDS, *_visible(principal), list(ids))
    return {r["id"]: row(ChangeRequestRow, r) for r in records}


async def page(
    conn: Connection, *, principal: Principal, where: RequestFilter, now: datetime, page: PageRequest
) -> Page[ChangeRequestRow]:
    """One page of the requests `where` selects that `principal` sees, newest first, in one statement."""
    keyset = Keyset.newest_first(page, alias="r", at="requested_at", first_param=13)
    records = await conn.fetch(
        keyset.fill(PAGE),
        *_visible(principal),
        now,
        where.state,
        where.kind,
        where.carrier_id,
        where.organization_id,
        where.requested_before,
        where.requested_since,
        where.requested_until,
        where.mine,
        *keyset.params,
    )
    rows = [row(ChangeRequestRow, r, skip=1) for r in records if r["id"] is not None]
    return to_page(rows, page, records[0]["total"])


async def decide(
    conn: Connection,
    *,
    request_id: uuid.UUID,
    state: str,
    decided_by: tuple[str, str | None, str | None],
    decided_at: datetime,
    answer: str | None,
) -> ChangeRequestRow:
    record = await conn.fetchrow(DECIDE, request_id, state, *decided_by, decided_at, answer)
    return row(ChangeRequestRow, record)


async def note_conflict(conn: Connection, *, request_id: uuid.UUID, conflict: str) -> ChangeRequestRow:
    record = await conn.fetchrow(NOTE_CONFLICT, request_id, conflict)
    return row(ChangeRequestRow, record)


async def expire(conn: Connection, *, now: datetime) -> int:
    """Mark open requests past their expiry, with an activity row each; how many. One instance at a time
    (another finds the lock taken and skips the run)."""
    async with conn.transaction():
        if not await conn.fetchval("select pg_try_advisory_xact_lock($1)", EXPIRY_LOCK_KEY):
            return 0
        status = await conn.execute(EXPIRE, now)
    return int(status.rsplit(" ", 1)[-1])
