"""SQL for the expiry notices: an activity event when a key enters its last days, and one when it
expires, each written once, whichever instance and however often the job runs.

Each kind is one statement: mark the keys whose notice is due (only those not yet marked: two runs at
once cannot both mark a key, the second waits for the first's row locks and then finds it marked) and
write their events, in one transaction with a transaction-level advisory lock that lets one instance at
a time do the work (another finds it taken and skips the run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.pool import Connection

# A key within this many days of its expiry is "expiring soon": its notice is written then.
EXPIRING_SOON_DAYS = 7
# pg_try_advisory_xact_lock's key for this job (an arbitrary constant: "carrier-admin key expiry").
LOCK_KEY = 7_215_301_002


def _notice(*, action: str, marked: str, due: str) -> str:
    """Mark the keys whose `action` notice is `due` and not yet `marked`, and write an event for each
    (under its carrier and organization; a service key's under none). A key revoked before it expires
    gets no notice: it stopped working then, not at its expiry."""
    return f"""
with due as (
    update api_keys k set {marked} = $1
    where k.expires_at is not null and {due}
      and (k.revoked_at is null or k.revoked_at > k.expires_at)
      and k.{marked} is null
    returning k.id, k.carrier_id, k.hint, k.description, k.expires_at
)
insert into activity_log (actor_kind, actor_id, actor_name, actor_is_staff, action, target_type, target_id,
                          carrier_id, organization_id, after)
select 'system', 'system', 'carrier-admin', true, '{action}', 'ApiKey', due.id, due.carrier_id,
       c.organization_id,
       jsonb_build_object('hint', due.hint, 'description', due.description, 'expiresAt', due.expires_at)
from due left join carriers c on c.id = due.carrier_id
"""


# $1: now; $2: how long before its expiry a key is "expiring soon".
EXPIRING = _notice(
    action="apiKey.expiring",
    marked="expiry_warned_at",
    due="k.expires_at > $1 and k.expires_at <= $1 + $2::interval",
)
EXPIRED = _notice(action="apiKey.expired", marked="expiry_recorded_at", due="k.expires_at <= $1")


@dataclass(frozen=True, slots=True)
class Notices:
    expiring: int
    expired: int
    # False when another instance held the lock: this run did nothing.
    ran: bool = True


def _count(status: str) -> int:
    """The row count of an INSERT's command status ("INSERT 0 3")."""
    return int(status.rsplit(" ", 1)[-1])


async def write_notices(conn: Connection, *, now: datetime, warn_within: timedelta) -> Notices:
    async with conn.transaction():
        if not await conn.fetchval("select pg_try_advisory_xact_lock($1)", LOCK_KEY):
            return Notices(0, 0, ran=False)
        expiring = _count(await conn.execute(EXPIRING, now, warn_within))
        expired = _count(await conn.execute(EXPIRED, now))
    return Notices(expiring, expired)
