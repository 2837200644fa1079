"""When and from where a key was last used: noted in memory per request, written in batches by the
recorder (KeyUsageRecorder), and once more when the server shuts down."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from db.pool import Connection, PoolDatabase, create_pool
from server import init_app
from services.key_usage import KeyUsageRecorder
from tests import factories
from tests.conftest import ClientFactory, StatementLog, make_settings
from tests.keys import API_KEY, Clock, key_gid, new_carrier, post, staff, viewer_status, when
from web.app_keys import KEY_USAGE

PROXY = "127.0.0.1/32"


def recorder(client: TestClient[Any, Any]) -> KeyUsageRecorder:
    assert isinstance(client.server, TestServer)
    return client.server.app[KEY_USAGE]


async def last_use(conn: Connection, key_id: uuid.UUID) -> tuple[Any, str | None]:
    row = await conn.fetchrow(
        "select last_used_at, host(last_used_address) as address from api_keys where id = $1", key_id
    )
    assert row is not None
    return row["last_used_at"], row["address"]


def writes(sql_log: StatementLog) -> list[str]:
    """The statements in the log that write last uses (the recorder's one flush statement)."""
    return [q for q in sql_log.queries if "update api_keys k set last_used_at" in q.lower()]


async def test_last_use_is_written_at_the_flush_with_the_latest_request(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given
    clock = Clock()
    client = await make_client(now=clock, trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id)
    start = clock.at

    # when: three requests, a minute apart, from three addresses
    for minutes, address in ((0, "192.0.2.1"), (1, "192.0.2.2"), (2, "2001:db8::3")):
        clock.set(start + timedelta(minutes=minutes))
        reply = await viewer_status(client, secret, {"X-Forwarded-For": address})
        assert reply.status == 200

    # then: nothing is written yet
    assert await last_use(conn, key_id) == (None, None)

    # when
    written = await recorder(client).flush()

    # then
    assert written == 1
    assert await last_use(conn, key_id) == (start + timedelta(minutes=2), "2001:db8::3")
    # use is not a change: the version an editor holds does not go stale because the key is busy
    assert await conn.fetchval("select version from api_keys where id = $1", key_id) == 1
    key = (await post(client, API_KEY, {"id": key_gid(key_id)}, clock.staff())).body["data"]["apiKey"]
    assert when(key["lastUsedAt"]) == start + timedelta(minutes=2)
    assert key["lastUsedAddress"] == "2001:db8::3"


async def test_a_request_runs_only_the_key_lookup(
    client: TestClient[Any, Any], conn: Connection, sql_log: StatementLog
) -> None:
    carrier = await new_carrier(conn)
    _key_id, secret = await factories.api_key(conn, carrier.id)
    await sql_log.count()
    sql_log.clear()

    reply = await post(client, "{ viewer { kind } }", headers=factories.bearer(secret))

    assert reply.body == {"data": {"viewer": {"kind": "API_KEY"}}}
    assert await sql_log.count() == 1
    (lookup,) = sql_log.queries
    assert lookup.lstrip().lower().startswith("select")
    assert "secret_hash = $1" in lookup
    assert writes(sql_log) == []


async def test_two_flushes_within_the_interval_write_once(
    client: TestClient[Any, Any], conn: Connection, sql_log: StatementLog
) -> None:
    # given: two keys used several times
    carrier = await new_carrier(conn)
    first_id, first = await factories.api_key(conn, carrier.id)
    second_id, second = await factories.api_key(conn, carrier.id)
    for secret in (first, second, first, first, second):
        assert (await viewer_status(client, secret)).status == 200
    await sql_log.count()
    sql_log.clear()

    # when
    written = [await recorder(client).flush(), await recorder(client).flush()]

    # then: one statement for both keys, then nothing left to write
    assert written == [2, 0]
    await sql_log.count()
    assert len(writes(sql_log)) == 1
    for key_id in (first_id, second_id):
        at, address = await last_use(conn, key_id)
        assert at is not None
        assert address == "127.0.0.1"


async def test_last_use_never_moves_backwards(make_client: ClientFactory, conn: Connection) -> None:
    # given: a use written at a later time
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id)
    later = clock.at + timedelta(hours=1)
    clock.set(later)
    await viewer_status(client, secret)
    await recorder(client).flush()

    # when: an older use arrives afterwards (e.g. from another instance with a lagging batch)
    clock.set(later - timedelta(minutes=5))
    await viewer_status(client, secret)
    await recorder(client).flush()

    # then
    assert (await last_use(conn, key_id))[0] == later


async def test_refused_requests_are_not_uses(make_client: ClientFactory, conn: Connection) -> None:
    client = await make_client(trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    revoked_id, revoked = await factories.api_key(conn, carrier.id, revoked=True)
    fenced_id, fenced = await factories.api_key(conn, carrier.id, allowlist=["192.0.2.0/24"])

    assert (await viewer_status(client, revoked)).status == 401
    assert (await viewer_status(client, fenced, {"X-Forwarded-For": "198.51.100.1"})).status == 403

    assert await recorder(client).flush() == 2  # the two refusals (tests/keys/test_refused_uses.py)
    assert await last_use(conn, revoked_id) == (None, None)
    assert await last_use(conn, fenced_id) == (None, None)


async def test_shutdown_writes_what_is_pending(own_database: str) -> None:
    # given: a committed key and a server that would not flush for an hour
    seed = await asyncpg.connect(own_database)
    try:
        carrier_id = await factories.carrier(seed)
        key_id, secret = await factories.api_key(seed, carrier_id)
    finally:
        await seed.close()
    pool = await create_pool(own_database, min_size=1, max_size=3, statement_timeout_seconds=5)
    try:
        app = init_app(make_settings(last_used_flush_seconds=3600), database=PoolDatabase(pool))
        client = TestClient(TestServer(app))
        await client.start_server()
        try:
            # when
            reply = await post(client, "{ viewer { kind } }", headers=factories.bearer(secret))
            assert reply.status == 200
            async with pool.acquire() as conn:
                assert await last_use(conn, key_id) == (None, None)
        finally:
            await client.close()  # runs the app's cleanup: the recorder's final flush

        # then: a fresh connection sees the use
        fresh = await asyncpg.connect(own_database)
        try:
            at, address = await last_use(fresh, key_id)
        finally:
            await fresh.close()
        assert at is not None
        assert address == "127.0.0.1"
    finally:
        await pool.close()


async def test_the_staff_token_reads_last_use_as_null_before_any_flush(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id)
    assert (await viewer_status(client, secret)).status == 200

    key = (await post(client, API_KEY, {"id": key_gid(key_id)}, staff())).body["data"]["apiKey"]

    assert (key["lastUsedAt"], key["lastUsedAddress"]) == (None, None)
