"""The tests' TransactionDatabase survives its users being cancelled at any moment: graphql-core cancels
the sibling fields of one that failed, and a cancelled SAVEPOINT would abort the test's whole transaction
(every later statement: "current transaction is aborted"; CI saw it once, in the FAST_PATH=0 pass).
Cancelled after a drawn number of the event loop's turns, wherever that falls (waiting for the lock, the
savepoint made, the statement, the release), the connection still answers and keeps what finished."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from hypothesis import strategies as st

from db.pool import Connection
from tests.conftest import TransactionDatabase
from tests.drawn import drawn

TURNS = drawn(st.lists(st.integers(0, 60), min_size=1, max_size=4), 40)


async def turns(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_cancelled_user_leaves_the_connection_working(conn: Connection) -> None:
    database = TransactionDatabase(conn)
    await conn.execute("create temporary table kept (n int)")

    async def use(n: int) -> None:
        async with database.acquire() as inner:
            await inner.execute("insert into kept values ($1)", n)
            await inner.fetchval("select pg_sleep(0)")

    for number, delays in enumerate(TURNS):
        users = [asyncio.create_task(use(number * 10 + i)) for i in range(len(delays))]
        for task, delay in zip(users, delays, strict=True):
            await turns(delay)
            task.cancel()
        outcomes = await asyncio.gather(*users, return_exceptions=True)
        assert all(o is None or isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes
        # the connection answers; a user that finished kept its row (one cancelled may have finished
        # its work first: the cancellation then comes after the savepoint's release)
        finished = {number * 10 + i for i, o in enumerate(outcomes) if o is None}
        async with database.acquire() as inner:
            rows = {r[0] for r in await inner.fetch("select n from kept where n / 10 = $1", number)}
        assert finished <= rows <= {number * 10 + i for i in range(len(delays))}, (delays, outcomes, rows)


class SlowSavepoints(asyncpg.Connection):
    """A connection whose next SAVEPOINT is still running in PostgreSQL when `in_flight` is set (a
    sleep before it in the same query), as one is when the machine is loaded."""

    in_flight: asyncio.Event | None = None

    async def execute(self, query: str, *args: Any, **options: Any) -> str:
        if self.in_flight is not None and query.startswith("SAVEPOINT"):
            in_flight, self.in_flight = self.in_flight, None
            in_flight.set()
            return await super().execute("SELECT pg_sleep(0.2); " + query, *args, **options)
        return await super().execute(query, *args, **options)


async def test_a_savepoint_cancelled_in_flight_leaves_the_transaction_working(shared_test_url: str) -> None:
    conn = await asyncpg.connect(shared_test_url, connection_class=SlowSavepoints)
    transaction = conn.transaction()
    await transaction.start()
    try:
        database = TransactionDatabase(conn)
        conn.in_flight = in_flight = asyncio.Event()

        async def use() -> None:
            async with database.acquire() as inner:
                await inner.fetchval("select 1")

        user = asyncio.create_task(use())
        await in_flight.wait()  # its SAVEPOINT has been sent and is running
        user.cancel()
        with pytest.raises(asyncio.CancelledError):
            await user
        async with database.acquire() as inner:
            assert await inner.fetchval("select 2") == 2
    finally:
        await transaction.rollback()
        await conn.close()
