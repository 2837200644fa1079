"""Connections go back to the pool without asyncpg's reset round trip (db/pool.keep_session): that is
only safe while the application leaves no session state behind. A served workload — startup
migrations (which take a session advisory lock), queries by token and by key, mutations — must leave
every pooled connection with no advisory lock, no setting RESET ALL would change (asyncpg's own
introspection sets `jit` and puts it back), no LISTEN channel and no cursor."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from db.pool import PoolDatabase, create_pool
from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn
from tests.factories import bearer, staff_token

POOL_SIZE = 3
NESTED = """
query ($id: ID!) { organization(id: $id) { carriers(first: 10) { nodes { code
  enablements { feature { key } state updatedAt } apiKeys(first: 5) { nodes { hint status } } } } } }
"""
CREATE = 'mutation { createCarrier(input: {code: "POOL2", name: "Pool Two"}) { __typename } }'
KEY_QUERY = "{ viewer { kind } }"


async def test_a_served_workload_leaves_no_session_state_on_pooled_connections(own_database: str) -> None:
    setup = await asyncpg.connect(own_database)
    organization = await factories.organization(setup, "Pool Group")
    carrier = await factories.carrier(setup, "POOL1", organization_id=organization)
    feature = await factories.feature(setup, "pool.feature")
    await factories.set_carrier_enablement(setup, carrier, feature, True)
    _, secret = await factories.api_key(setup, carrier)
    await setup.close()

    pool = await create_pool(
        own_database, min_size=POOL_SIZE, max_size=POOL_SIZE, statement_timeout_seconds=5
    )
    app = init_app(make_settings(), database=PoolDatabase(pool))
    try:
        async with TestClient(TestServer(app)) as client:
            staff = bearer(staff_token())
            variables = {"id": to_global_id("Organization", organization)}
            replies = await asyncio.gather(
                *(
                    client.post("/graphql", json={"query": NESTED, "variables": variables}, headers=staff)
                    for _ in range(6)
                ),
                client.post("/graphql", json={"query": CREATE}, headers=staff),
                *(
                    client.post("/graphql", json={"query": KEY_QUERY}, headers=bearer(secret))
                    for _ in range(3)
                ),
            )
            bodies: list[Any] = [await reply.json() for reply in replies]
            assert all(not body.get("errors") for body in bodies), bodies

            held = [await pool.acquire() for _ in range(POOL_SIZE)]  # every connection of the pool at once
            try:
                for conn in held:
                    state = await conn.fetchrow(
                        """
                        select (select count(*) from pg_locks where pid = pg_backend_pid()
                                and locktype = 'advisory') as advisory_locks,
                               (select array_agg(name) from pg_settings
                                where source = 'session' and setting is distinct from reset_val) as settings,
                               (select count(*) from pg_listening_channels()) as listening,
                               (select count(*) from pg_cursors where name <> '') as cursors
                        """
                    )
                    assert state is not None
                    assert dict(state) == {
                        "advisory_locks": 0,
                        "settings": None,
                        "listening": 0,
                        "cursors": 0,
                    }
            finally:
                for conn in held:
                    await pool.release(conn)
    finally:
        await pool.close()


# (pool size, how many connections the test holds when it asks for one more)
WAITS = drawn(st.tuples(st.integers(1, 3), st.integers(0, 3)), 8)


async def test_an_acquire_takes_an_idle_connection_and_waits_for_a_busy_pool_only_so_long(
    own_database: str,
) -> None:
    for size, held in WAITS:
        pool = await create_pool(own_database, min_size=size, max_size=size, statement_timeout_seconds=5)
        database = PoolDatabase(pool, acquire_timeout_seconds=0.2)
        holding = [await database.borrow() for _ in range(min(held, size))]
        try:
            async with asyncio.timeout(10):  # a guard against a hang, not a measure
                if len(holding) < size:
                    # given: a connection idle; then: it is lent at once, and works
                    async with database.acquire() as conn:
                        assert await conn.fetchval("select 1") == 1
                else:
                    # given: every connection held; then: the wait ends in TimeoutError
                    with pytest.raises(TimeoutError):
                        async with database.acquire():
                            pass
                    # and a connection given back is lent again
                    await database.give_back(holding.pop())
                    async with database.acquire() as conn:
                        assert await conn.fetchval("select 1") == 1
        finally:
            for conn in holding:
                await database.give_back(conn)
            await pool.close()
