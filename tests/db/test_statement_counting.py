"""Each request counts its own statements (db/pool.CountingDatabase): every pooled connection reports to
one logger for its life, which counts for the counter of whoever holds it. Generated mixes of requests
at once, on a pool smaller than them, each sending statements in sequence, at once (its own tasks),
through a held connection or the pool, and some failing, must each count exactly their own; and a
statement sent outside any counted borrowing is counted by nobody."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from hypothesis import strategies as st

from db.kept_pool import KeptPool
from db.pool import CountingDatabase, HeldDatabase, PoolDatabase, StatementCounter
from tests.drawn import drawn

# One request: whether it holds a connection (the lean path's HeldDatabase), and its steps in order: a
# number alone is that many statements in sequence, a list is one statement per item at once, "fail"
# is a statement PostgreSQL refuses (counted: it was sent).
STEP = st.one_of(
    st.integers(min_value=1, max_value=3),
    st.just("fail"),
    st.lists(st.just(1), min_size=2, max_size=3),
)
REQUESTS = drawn(
    st.lists(st.tuples(st.booleans(), st.lists(STEP, min_size=1, max_size=4)), min_size=1, max_size=5), 30
)


def expected(steps: list[Any]) -> int:
    return sum(1 if step == "fail" else step if isinstance(step, int) else len(step) for step in steps)


async def one_request(database: PoolDatabase, held: bool, steps: list[Any]) -> int:
    kept = HeldDatabase(database) if held else None
    counter = StatementCounter()
    db = CountingDatabase(kept or database, counter)

    async def select() -> None:
        async with db.acquire() as conn:
            await conn.fetchval("select 1")
            await asyncio.sleep(0)  # let another request's statement in between

    try:
        for step in steps:
            if step == "fail":
                with pytest.raises(asyncpg.PostgresError):
                    async with db.acquire() as conn:
                        await conn.fetchval("select 1/0")
            elif isinstance(step, int):
                for _ in range(step):
                    await select()
            else:
                await asyncio.gather(*(select() for _ in step))
    finally:
        if kept is not None:
            await kept.close()
    await asyncio.sleep(0)  # asyncpg reports a statement on the loop's next turn
    return counter.count


async def test_each_request_counts_exactly_its_own_statements(pool: KeptPool) -> None:
    database = PoolDatabase(pool)
    for requests in REQUESTS:
        counted = await asyncio.gather(*(one_request(database, held, steps) for held, steps in requests))
        assert counted == [expected(steps) for _, steps in requests]


async def test_a_statement_outside_a_counted_borrowing_is_counted_by_nobody(pool: KeptPool) -> None:
    database = PoolDatabase(pool)
    counter = StatementCounter()
    async with CountingDatabase(database, counter).acquire() as conn:
        await conn.fetchval("select 1")
    async with database.acquire() as conn:  # the same connection, now not counted
        await conn.fetchval("select 1")
    await asyncio.sleep(0)
    assert counter.count == 1


async def test_a_borrowing_ended_in_another_task_still_gives_its_connection_back(pool: KeptPool) -> None:
    # given: an async generator holding a counted connection across a yield, iterated by one task
    database = PoolDatabase(pool)
    counter = StatementCounter()
    paused = asyncio.Event()

    async def rows() -> Any:
        async with CountingDatabase(database, counter).acquire() as conn:
            yield await conn.fetchval("select 1")
            paused.set()
            yield await conn.fetchval("select 2")

    stream = rows()

    async def first() -> Any:
        return await stream.__anext__()

    assert await asyncio.create_task(first()) == 1
    # when: another task closes it (as the loop's finalizer of an abandoned generator does)
    await asyncio.create_task(stream.aclose())
    # then: the connection is back in the pool, and the statement it ran was counted
    assert pool.get_idle_size() == pool.get_size()
    await asyncio.sleep(0)
    assert counter.count == 1
