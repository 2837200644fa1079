"""Expiry notices: an activity event when a key enters its last days and one when it expires, each
written once: however often the job runs, from however many instances at once; and never for a key that
was revoked before it would have expired. Generated: keys' expiries and the times the job runs at."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from hypothesis import strategies as st

from db.key_expiry import EXPIRING_SOON_DAYS, write_notices
from db.pool import Connection, PoolDatabase, create_pool
from services.key_expiry_job import KeyExpiryJob
from tests import factories
from tests.drawn import drawn
from tests.keys import days, insert_key, new_carrier

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=EXPIRING_SOON_DAYS)

# Keys: expiring after this many hours from NOW (None: never), revoked this many hours from NOW (None: not).
KEYS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(min_value=-48, max_value=24 * 20)),
        st.one_of(st.none(), st.integers(min_value=-48, max_value=24 * 20)),
    ),
    max_size=8,
)
# When the job runs: hours from NOW, in any order (a clock the test moves).
RUNS = st.lists(st.integers(min_value=0, max_value=24 * 25), min_size=1, max_size=6)


async def events(conn: Connection, key_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "select action from activity_log where target_id = $1 and actor_kind = 'system' order by occurred_at",
        key_id,
    )
    return [row["action"] for row in rows]


async def test_each_notice_is_written_once_whenever_the_job_runs(conn: Connection) -> None:
    failures = []
    for keys, runs in drawn(st.tuples(KEYS, RUNS), 30):
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            carrier = await new_carrier(conn)
            made = []
            for expires, revoked in keys:
                key_id, _ = await insert_key(
                    conn,
                    carrier.id,
                    created_at=NOW - days(10),
                    expires_at=NOW + timedelta(hours=expires) if expires is not None else None,
                    revoked_at=NOW + timedelta(hours=revoked) if revoked is not None else None,
                )
                made.append((key_id, expires, revoked))
            for hours in sorted(runs):
                await write_notices(conn, now=NOW + timedelta(hours=hours), warn_within=WINDOW)
            latest = NOW + timedelta(hours=max(runs))
            for key_id, expires, revoked in made:
                expires_at = NOW + timedelta(hours=expires) if expires is not None else None
                revoked_at = NOW + timedelta(hours=revoked) if revoked is not None else None
                dies = expires_at is not None and (revoked_at is None or revoked_at > expires_at)
                # a run saw it within its last days (and not yet expired), and one saw it expired
                warned = dies and any(
                    expires_at - WINDOW < NOW + timedelta(hours=h) < expires_at  # type: ignore[operator]
                    for h in runs
                )
                recorded = dies and expires_at <= latest  # type: ignore[operator]
                want = (["apiKey.expiring"] if warned else []) + (["apiKey.expired"] if recorded else [])
                got = await events(conn, key_id)
                if got != want:
                    failures.append((keys, runs, expires, revoked, got, want))
        finally:
            await savepoint.rollback()
    assert not failures, failures[:3]


async def test_instances_running_at_once_write_each_notice_once(own_database: str) -> None:
    # given: committed keys, one expiring soon and one expired
    seed = await asyncpg.connect(own_database)
    carrier = await factories.carrier(seed)
    soon, _ = await factories.api_key(seed, carrier, created_at=NOW - days(30), expires_at=NOW + days(3))
    gone, _ = await factories.api_key(seed, carrier, created_at=NOW - days(30), expires_at=NOW - days(1))
    await seed.close()
    pool = await create_pool(own_database, min_size=1, max_size=8, statement_timeout_seconds=5)
    try:
        # when: eight instances' jobs run at the same moment, then again
        jobs = [KeyExpiryJob(PoolDatabase(pool), 60, lambda: NOW) for _ in range(8)]
        results = await asyncio.gather(*(job.run_once() for job in jobs))
        again = await asyncio.gather(*(job.run_once() for job in jobs))
    finally:
        await pool.close()

    # then: one of each notice, in all
    assert sum(r.expiring for r in results + again) == 1
    assert sum(r.expired for r in results + again) == 1
    check = await asyncpg.connect(own_database)
    try:
        actions = await check.fetch(
            "select target_id, action from activity_log where actor_kind = 'system' order by action"
        )
    finally:
        await check.close()
    assert [(row["target_id"], row["action"]) for row in actions] == [
        (gone, "apiKey.expired"),
        (soon, "apiKey.expiring"),
    ]
