"""A request's share of the pool (db/pool.HeldDatabase) keeps one connection between its statements and
never makes anyone wait on it: generated mixes of statements in sequence, at once, failing, cancelled
and in transactions, on a pool smaller than the requests running at once, all answer; every connection
goes back; and the lean path's requests borrow fewer connections than they send statements."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from db.kept_pool import KeptPool
from db.pool import HeldDatabase, PoolDatabase, create_pool
from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.db.conftest import SMALL_POOL_SIZE as POOL_SIZE
from tests.drawn import drawn
from tests.factories import bearer, staff_token

# One request's statements, in order: a number alone runs in sequence, a list runs at once;
# "fail" is a statement PostgreSQL refuses, "cancel" one cancelled while it runs, "tx" two statements
# in a transaction.
STEP = st.one_of(
    st.integers(min_value=0, max_value=100),
    st.sampled_from(["fail", "cancel", "tx"]),
    st.lists(st.integers(min_value=0, max_value=100), min_size=2, max_size=3),
)
REQUESTS = drawn(st.lists(st.lists(STEP, min_size=1, max_size=5), min_size=1, max_size=6), 30)


async def one_request(database: PoolDatabase, steps: list[Any]) -> None:
    held = HeldDatabase(database)

    async def select(n: int) -> None:
        async with held.acquire() as conn:
            assert await conn.fetchval("select $1::int", n) == n

    try:
        for step in steps:
            if isinstance(step, int):
                await select(step)
            elif isinstance(step, list):
                await asyncio.gather(*(select(n) for n in step))
            elif step == "fail":
                with pytest.raises(asyncpg.DivisionByZeroError):
                    async with held.acquire() as conn:
                        await conn.fetchval("select 1 / 0")
            elif step == "tx":
                async with held.acquire() as conn, conn.transaction():
                    await conn.fetchval("select 1")
                    await conn.fetchval("select 2")
            else:  # cancelled while PostgreSQL runs it: the event is its start, not a time
                started = asyncio.Event()

                async def sleeper(started: asyncio.Event) -> None:
                    async with held.acquire() as conn:
                        started.set()
                        await conn.fetchval("select pg_sleep(30)")

                task = asyncio.create_task(sleeper(started))
                await started.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
    finally:
        await held.close()


async def test_requests_sharing_a_small_pool_all_answer_and_give_every_connection_back(
    pool: KeptPool,
) -> None:
    database = PoolDatabase(pool, acquire_timeout_seconds=30)
    for requests in REQUESTS:
        # given: more requests at once than the pool has connections, each with its mix of statements
        # when: they run
        await asyncio.gather(*(one_request(database, steps) for steps in requests))
        # then: every connection is back in the pool, idle, outside any transaction
        assert pool.get_idle_size() == pool.get_size() == POOL_SIZE
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("select 1") == 1


async def test_a_held_connection_serves_the_request_s_statements_in_sequence(pool: KeptPool) -> None:
    held = HeldDatabase(PoolDatabase(pool))
    backends = set()
    for _ in range(3):
        async with held.acquire() as conn:
            backends.add(await conn.fetchval("select pg_backend_pid()"))
    assert len(backends) == 1
    assert pool.get_idle_size() == POOL_SIZE - 1  # kept, between statements
    await held.close()
    assert pool.get_idle_size() == POOL_SIZE


async def test_requests_holding_every_connection_still_run_their_statements_at_once(
    pool: KeptPool,
) -> None:
    # given: as many requests as the pool has connections, each keeping one between its statements
    database = PoolDatabase(pool, acquire_timeout_seconds=10)
    all_holding = asyncio.Barrier(POOL_SIZE)

    async def request() -> None:
        held = HeldDatabase(database)

        async def select(n: int) -> int:
            async with held.acquire() as conn:
                return int(await conn.fetchval("select $1::int", n))

        try:
            assert await select(1) == 1
            await all_holding.wait()
            # when: each runs two statements at once (one on its own connection, one needing another)
            assert list(await asyncio.gather(select(2), select(3))) == [2, 3]
        finally:
            await held.close()

    # then: they all answer (a request does not keep its connection while someone waits for one)
    await asyncio.gather(*(request() for _ in range(POOL_SIZE)))
    assert pool.get_idle_size() == POOL_SIZE


NESTED = """
query Nested($id: ID!) { organization(id: $id) { carriers(first: 5) { nodes { code
  enablements { feature { key } state } apiKeys(first: 5) { nodes { hint status } } } } } }
"""


async def test_the_lean_path_borrows_fewer_connections_than_it_sends_statements(own_database: str) -> None:
    setup = await asyncpg.connect(own_database)
    organization = await factories.organization(setup, "Held Group")
    for n in range(3):
        carrier = await factories.carrier(setup, f"HELD{n}", organization_id=organization)
        await factories.api_key(setup, carrier)
    await factories.feature(setup, "held.feature")
    await setup.close()
    pool = await create_pool(own_database, min_size=4, max_size=4, statement_timeout_seconds=5)
    borrowed = 0

    class Counted(PoolDatabase):
        def acquire(self) -> Any:
            nonlocal borrowed
            borrowed += 1
            return super().acquire()

        async def borrow(self) -> Any:
            nonlocal borrowed
            borrowed += 1
            return await super().borrow()

    app = init_app(make_settings(fast_path=True), database=Counted(pool))  # the lean path runs plans
    try:
        async with TestClient(TestServer(app)) as client:
            body = {"query": NESTED, "variables": {"id": to_global_id("Organization", organization)}}
            first = await (await client.post("/graphql", json=body, headers=bearer(staff_token()))).json()
            assert not first.get("errors"), first
            on_the_view = borrowed  # one per statement
            for _ in range(3):  # on the lean path now: the document was answered once
                borrowed = 0
                reply = await client.post("/graphql", json=body, headers=bearer(staff_token()))
                assert await reply.json() == first
                assert 1 <= borrowed < on_the_view
            assert pool.get_idle_size() == pool.get_size()
    finally:
        await pool.close()
