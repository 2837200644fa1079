"""Each key's requests counted per hour and outcome: noted in memory, added to `api_key_usage` in the
recorder's one flush statement, exact across instances, pruned after the retention."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from db.pool import Connection, PoolDatabase, create_pool
from server import init_app
from services.key_usage import KeyUsageRecorder, Outcome, RefusalReason
from tests import factories
from tests.conftest import ClientFactory, StatementLog, TransactionDatabase, make_settings
from tests.drawn import drawn
from tests.keys import new_carrier, viewer_status
from web.app_keys import KEY_USAGE

NOW = datetime(2026, 6, 1, 12, 20, 30, tzinfo=UTC)
OUTCOMES = [
    Outcome.SERVED,
    Outcome.REVOKED,
    Outcome.EXPIRED,
    Outcome.ADDRESS_NOT_ALLOWED,
    Outcome.API_ACCESS_DISABLED,
    Outcome.RATE_LIMITED,
]


async def counted(
    conn: Connection | asyncpg.Connection, key_ids: list[uuid.UUID]
) -> Counter[tuple[Any, ...]]:
    rows = await conn.fetch(
        "select key_id, outcome, sum(uses) as uses from api_key_usage where key_id = any($1::uuid[]) "
        "group by key_id, outcome",
        key_ids,
    )
    return Counter({(r["key_id"], r["outcome"]): r["uses"] for r in rows})


def flushes(sql_log: StatementLog) -> list[str]:
    return [q for q in sql_log.queries if "insert into api_key_usage" in q.lower()]


async def test_requests_sent_are_counted_by_outcome_across_two_instances_under_load(
    own_database: str,
) -> None:
    # given: committed keys that are served, refused at the door for each reason, or rate limited
    seed = await asyncpg.connect(own_database)
    try:
        carrier_id = await factories.carrier(seed)
        past = datetime.now(UTC) - timedelta(days=1)
        keys = {
            "served": await factories.api_key(seed, carrier_id),
            "busy": await factories.api_key(seed, carrier_id),  # beyond its rate limit: some 429
            "revoked": await factories.api_key(seed, carrier_id, revoked=True),
            "expired": await factories.api_key(
                seed, carrier_id, expires_at=past, created_at=past - timedelta(days=10)
            ),
            "fenced": await factories.api_key(seed, carrier_id, allowlist=["192.0.2.0/24"]),
        }
    finally:
        await seed.close()
    outcome_of_status = {
        ("served", 200): Outcome.SERVED,
        ("busy", 200): Outcome.SERVED,
        ("busy", 429): Outcome.RATE_LIMITED,
        ("revoked", 401): Outcome.REVOKED,
        ("expired", 401): Outcome.EXPIRED,
        ("fenced", 403): Outcome.ADDRESS_NOT_ALLOWED,
    }
    pools = [
        await create_pool(own_database, min_size=1, max_size=4, statement_timeout_seconds=5) for _ in range(2)
    ]
    clients: list[TestClient[Any, Any]] = []
    try:
        for pool in pools:
            # flushing every 50 ms: flushes of both instances land while requests arrive
            settings = make_settings(last_used_flush_seconds=0.05, rate_limit_per_key=40)
            client = TestClient(TestServer(init_app(settings, database=PoolDatabase(pool))))
            await client.start_server()
            clients.append(client)
        plan = [(name, index % 2) for index in range(60) for name in keys]
        plan += [("busy", index % 2) for index in range(100)]
        gate = asyncio.Semaphore(16)

        async def send(name: str, instance: int) -> tuple[str, int]:
            async with gate:
                reply = await viewer_status(clients[instance], keys[name][1])
                return name, reply.status

        # when: every request at once, spread over both instances, then a clean stop of both
        replies = await asyncio.gather(*(send(name, instance) for name, instance in plan))
        for client in clients:
            await client.close()
        clients.clear()

        # then: each request is counted once, under the outcome its answer said
        sent = Counter((keys[name][0], outcome_of_status[(name, status)]) for name, status in replies)
        assert sent[(keys["busy"][0], Outcome.RATE_LIMITED)] > 0
        by_outcome = Counter[str]()
        for (_, outcome), n in sent.items():
            by_outcome[outcome] += n
        print(f"sent {len(replies)} requests over two instances, by outcome: {dict(by_outcome)}")
        fresh = await asyncpg.connect(own_database)
        try:
            assert await counted(fresh, [key_id for key_id, _ in keys.values()]) == sent
        finally:
            await fresh.close()
    finally:
        for client in clients:
            await client.close()
        for pool in pools:
            await pool.close()


async def test_a_shutdown_in_the_middle_of_a_flush_loses_nothing(own_database: str) -> None:
    """Before: shutdown cancelled the periodic flush wherever it was; a flush waiting on its statement
    had already taken the counts out of memory, so the last flush found nothing and they were lost."""
    seed = await asyncpg.connect(own_database)
    pool = await create_pool(own_database, min_size=1, max_size=2, statement_timeout_seconds=30)
    try:
        key_id, _ = await factories.api_key(seed, await factories.carrier(seed))
        recorder = KeyUsageRecorder(PoolDatabase(pool), interval_seconds=0.01)
        # given: a periodic flush that waits on a lock another transaction holds on the key's row
        blocker = await asyncpg.connect(own_database)
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute("select 1 from api_keys where id = $1 for update", key_id)
        recorder.note_use(key_id, datetime.now(UTC), None)
        lifetime = recorder.running()
        await anext(lifetime)
        async with asyncio.timeout(30):
            while not await seed.fetchval(  # noqa: ASYNC110 - the database's state is polled
                # the test's own database: the flush is the only statement that can wait there
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                "and datname = current_database()"
            ):
                await asyncio.sleep(0.01)

        # when: the instance stops while that flush waits, and the lock is then released
        stopping = asyncio.create_task(anext(lifetime, None))
        async with asyncio.timeout(30):
            await recorder.stopping.wait()
        await holding.rollback()
        await blocker.close()
        await stopping

        # then: the use is counted, once
        assert await counted(seed, [key_id]) == Counter({(key_id, Outcome.SERVED): 1})
    finally:
        await pool.close()
        await seed.close()


EVENTS = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(OUTCOMES), st.integers(0, 3 * 3600 - 1), st.integers(0, 1)),
    min_size=1,
    max_size=40,
)


async def test_generated_uses_add_up_by_key_hour_and_outcome(conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key_ids = [(await factories.api_key(conn, carrier.id))[0] for _ in range(3)]
    for events in drawn(EVENTS, 25):
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            # two recorders: two instances adding to the same rows, each flushing once midway
            recorders = [KeyUsageRecorder(TransactionDatabase(conn), 60) for _ in range(2)]
            expected: Counter[tuple[Any, ...]] = Counter()
            for index, (key, outcome, second, instance) in enumerate(events):
                at = NOW + timedelta(seconds=second)
                recorder = recorders[instance]
                if outcome == Outcome.SERVED:
                    recorder.note_use(key_ids[key], at, "203.0.113.9")
                elif outcome == Outcome.RATE_LIMITED:
                    recorder.count(key_ids[key], at, outcome)
                else:
                    recorder.note_refusal(key_ids[key], outcome, at, "203.0.113.9")
                expected[(key_ids[key], at.replace(minute=0, second=0), outcome)] += 1
                if index == len(events) // 2:
                    await recorder.flush()
            for recorder in recorders:
                await recorder.flush()
            rows = await conn.fetch(
                "select key_id, hour, outcome, uses from api_key_usage where key_id = any($1::uuid[])",
                key_ids,
            )
            assert Counter({(r["key_id"], r["hour"], r["outcome"]): r["uses"] for r in rows}) == expected
        finally:
            await savepoint.rollback()


async def test_a_missing_scope_is_a_refusal_on_record_not_an_outcome(conn: Connection) -> None:
    # A request missing a scope for one field is served (its other fields answer): one SERVED.
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    recorder = KeyUsageRecorder(TransactionDatabase(conn), 60)
    recorder.note_use(key_id, NOW, None)
    recorder.note_refusal(key_id, RefusalReason.MISSING_SCOPE, NOW, None, "Carrier.apiKeys")
    await recorder.flush()
    assert await counted(conn, [key_id]) == Counter({(key_id, Outcome.SERVED): 1})


async def test_the_flush_is_one_statement_whatever_the_number_of_keys(
    conn: Connection, sql_log: StatementLog
) -> None:
    carrier = await new_carrier(conn)
    many = [(await factories.api_key(conn, carrier.id))[0] for _ in range(200)]
    # a first flush lets asyncpg learn the statement's types (its introspection queries are not ours)
    warm = KeyUsageRecorder(TransactionDatabase(conn), 60)
    warm.note_use(many[0], NOW, None)
    warm.note_refusal(many[0], RefusalReason.REVOKED, NOW, None)
    await warm.flush()
    await conn.execute("delete from api_key_usage")
    for key_ids in (many[:1], many):
        recorder = KeyUsageRecorder(TransactionDatabase(conn), 60)
        for key_id in key_ids:
            recorder.note_use(key_id, NOW, "203.0.113.9")
            recorder.note_refusal(key_id, RefusalReason.REVOKED, NOW, "203.0.113.9")
            recorder.count(key_id, NOW - timedelta(hours=1), Outcome.RATE_LIMITED)
        await sql_log.count()
        sql_log.clear()

        await recorder.flush()

        # then: one statement wrote last uses, refusals and counts of every key
        assert await sql_log.count() == 1, sql_log.queries
        assert len(flushes(sql_log)) == 1
        written = await counted(conn, key_ids)
        assert sum(written.values()) == 3 * len(key_ids)
        await conn.execute("delete from api_key_usage")


async def test_counts_older_than_the_retention_are_pruned(conn: Connection) -> None:
    # given: counts every 12 hours over 100 days, before a recorder keeping 90
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    hours = [NOW.replace(minute=0, second=0) - timedelta(hours=12 * n) for n in range(200)]
    await conn.executemany(
        "insert into api_key_usage (key_id, hour, outcome, uses) values ($1, $2, 'SERVED', 1)",
        [(key_id, hour) for hour in hours],
    )
    recorder = KeyUsageRecorder(TransactionDatabase(conn), 60, retention_days=90, now=lambda: NOW)

    # when
    pruned = await recorder.prune()

    # then: exactly the hours before NOW - 90 days are gone
    cutoff = NOW - timedelta(days=90)
    assert pruned == sum(1 for hour in hours if hour < cutoff)
    left = await conn.fetch("select hour from api_key_usage where key_id = $1", key_id)
    assert sorted(r["hour"] for r in left) == sorted(hour for hour in hours if hour >= cutoff)


async def test_the_retention_is_a_setting(make_client: ClientFactory) -> None:
    client = await make_client(key_usage_retention_days=7)
    assert isinstance(client.server, TestServer)
    assert client.server.app[KEY_USAGE].retention == timedelta(days=7)
