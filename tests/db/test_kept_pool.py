"""The pool that keeps connections given back cleanly (db/kept_pool.py) hands out what asyncpg's own would:
generated mixes of borrowers (more than the pool has connections) whose statements succeed, fail, are
cancelled, leave a transaction open, or lose their server, through the application's borrowing and
asyncpg's `acquire` alike, each get a connection of their own, in no transaction and working; nobody
waits while one is kept; kept connections unused too long go back to asyncpg; close() ends them all."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from hypothesis import strategies as st

from db.kept_pool import KeptPool
from db.pool import PoolDatabase, create_pool
from tests.db.conftest import SMALL_POOL_SIZE as POOL_SIZE
from tests.drawn import drawn

# What one borrower does with its connection: "ok" a statement, "fail" one PostgreSQL refuses,
# "cancel" one cancelled while it runs, "open" leaves a transaction open and gives the connection back
# as if clean, "lost" has its server process ended under it; each through the application's borrowing
# ("app") or asyncpg's acquire, as `async with` or awaited ("with", "await").
STEP = st.tuples(
    st.sampled_from(["ok", "ok", "ok", "fail", "cancel", "open", "lost"]),
    st.sampled_from(["app", "app", "with", "await"]),
)
RUNS = drawn(st.lists(STEP, min_size=1, max_size=3 * POOL_SIZE + 1), 30)


async def test_generated_borrowers_each_get_a_clean_working_connection_of_their_own(
    pool: KeptPool, own_database: str
) -> None:
    database = PoolDatabase(pool, acquire_timeout_seconds=30)
    admin = await asyncpg.connect(own_database)
    admin_turn = asyncio.Lock()
    in_use: set[int] = set()

    async def check(conn: Any) -> int:
        """The connection as a borrower receives it: its own, working, outside any transaction."""
        assert not conn.is_in_transaction()
        pid = int(await conn.fetchval("select pg_backend_pid()"))
        assert pid not in in_use, "a connection was handed to two borrowers at once"
        in_use.add(pid)
        return pid

    async def use(conn: Any, pid: int, what: str) -> None:
        """Run the step; a cancelled statement ends the borrowing with an error, as in a request."""
        try:
            if what == "ok":
                assert await conn.fetchval("select 1") == 1
            elif what == "fail":
                with pytest.raises(asyncpg.DivisionByZeroError):
                    await conn.fetchval("select 1 / 0")
            elif what == "open":
                await conn.execute("begin")
                await conn.fetchval("select 1")
            elif what == "lost":
                ended = asyncio.Event()
                conn.add_termination_listener(lambda _: ended.set())
                async with admin_turn:  # one connection, borrowers at once
                    await admin.fetchval("select pg_terminate_backend($1)", pid)
                await ended.wait()
            else:  # cancelled while PostgreSQL runs it: the event is its start, not a time
                started = asyncio.Event()

                async def sleep() -> None:
                    started.set()
                    await conn.fetchval("select pg_sleep(30)")

                task = asyncio.create_task(sleep())
                await started.wait()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                raise RuntimeError("cancelled")  # as a cancelled request's borrowing ends
        finally:
            in_use.discard(pid)

    async def borrower(what: str, how: str) -> None:
        with_error = what == "cancel"
        try:
            if how == "await":
                conn = await pool.acquire()
                try:
                    await use(conn, await check(conn), what)
                finally:
                    await pool.release(conn)
            else:
                borrowing = database.acquire() if how == "app" else pool.acquire()
                async with borrowing as borrowed:
                    await use(borrowed, await check(borrowed), what)
        except RuntimeError:
            assert with_error

    try:
        for steps in RUNS:
            # when: more borrowers at once than the pool has connections
            await asyncio.gather(*(borrower(what, how) for what, how in steps))
            await asyncio.gather(*pool.returning)
            # then: every connection is back and idle, and whatever is borrowed next works
            assert pool.get_idle_size() == pool.get_size() <= POOL_SIZE
            for _ in range(POOL_SIZE + 1):
                async with database.acquire() as conn:
                    await check(conn)
                    in_use.clear()
    finally:
        await admin.close()


async def test_nobody_waits_while_a_connection_is_kept(pool: KeptPool) -> None:
    database = PoolDatabase(pool, acquire_timeout_seconds=30)
    # given: every connection borrowed, and one more borrower waiting for one
    held = [await database.borrow() for _ in range(POOL_SIZE)]
    waiter = asyncio.create_task(database.borrow())
    await asyncio.sleep(0)  # its first step: nothing kept, so it waits in asyncpg's acquire
    assert pool.waiting == 1
    # when: one is given back clean
    await database.give_back(held.pop(), clean=True)
    # then: the waiter has it (it was not kept for a borrower to come)
    got = await waiter
    assert not pool.kept
    for conn in [*held, got]:
        await database.give_back(conn, clean=True)
    assert len(pool.kept) == POOL_SIZE
    assert pool.get_idle_size() == pool.get_size() == POOL_SIZE


async def test_kept_connections_unused_too_long_go_back_to_asyncpg(own_database: str) -> None:
    # given: a pool that keeps a connection no longer than no time at all
    pool = await create_pool(
        own_database, min_size=0, max_size=POOL_SIZE, statement_timeout_seconds=5, keep_idle_seconds=0.0
    )
    database = PoolDatabase(pool)
    try:
        first, second = await database.borrow(), await database.borrow()
        await database.give_back(first, clean=True)
        assert len(pool.kept) == 1
        # when: another is kept after it
        await database.give_back(second, clean=True)
        # then: the first went back to asyncpg (idle there), the second is kept
        await asyncio.gather(*pool.returning)
        assert pool.kept[0][0] is second
        assert pool.get_idle_size() == pool.get_size() == 2
    finally:
        await pool.close()


async def test_close_ends_kept_and_borrowed_connections_alike(own_database: str) -> None:
    pool = await create_pool(own_database, min_size=1, max_size=3, statement_timeout_seconds=5)
    database = PoolDatabase(pool)
    conns = [await database.borrow() for _ in range(3)]
    pids = [await c.fetchval("select pg_backend_pid()") for c in conns]
    await database.give_back(conns[0], clean=True)
    await database.give_back(conns[1], clean=True)
    assert len(pool.kept) == 2

    # when: the pool closes while one connection is still borrowed, then given back
    async def give_back_while_closing() -> None:
        assert pool.closing  # close() ran its first step: gather starts its tasks in order
        await database.give_back(conns[2], clean=True)

    async with asyncio.timeout(30):  # a kept connection would make asyncpg's close wait for ever
        await asyncio.gather(pool.close(), give_back_while_closing())
    # then: nothing was kept past the close, and no server process of the pool's is left
    assert not pool.kept
    assert pool.take() is None
    admin = await asyncpg.connect(own_database)
    try:
        left = await admin.fetchval("select count(*) from pg_stat_activity where pid = any($1)", pids)
        assert left == 0
    finally:
        await admin.close()


async def test_a_kept_connection_whose_server_ended_is_not_handed_out(
    pool: KeptPool, own_database: str
) -> None:
    database = PoolDatabase(pool)
    # given: a connection kept, whose server process then ends
    conn = await database.borrow()
    pid = await conn.fetchval("select pg_backend_pid()")
    ended = asyncio.Event()
    conn.add_termination_listener(lambda _: ended.set())
    await database.give_back(conn, clean=True)
    assert len(pool.kept) == 1
    admin = await asyncpg.connect(own_database)
    try:
        await admin.fetchval("select pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    await ended.wait()
    # when: the next borrower comes
    async with database.acquire() as fresh:
        # then: it gets a working connection of another server process
        assert await fresh.fetchval("select pg_backend_pid()") != pid
    await asyncio.gather(*pool.returning)
    assert pool.get_idle_size() == pool.get_size()
