"""The connection pool, and a per-request view of it that counts SQL statements.

Every statement the application runs goes through `Database.acquire()`, so counting them (for the
statements-per-request figure and the tests that pin it) needs no cooperation from repository code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import asyncpg
from asyncpg import exceptions as asyncpg_errors
from asyncpg.connection import LoggedQuery
from asyncpg.pool import PoolConnectionProxy

# A plain connection (tests, the CLI) or one borrowed from the pool: repository code takes either.
Connection = asyncpg.Connection | PoolConnectionProxy

# Failures to reach the database, which mean "try again", not "you asked wrongly".
DATABASE_DOWN = (
    OSError,
    TimeoutError,
    asyncpg_errors.PostgresConnectionError,
    asyncpg_errors.InterfaceError,
    asyncpg_errors.CannotConnectNowError,
    asyncpg_errors.AdminShutdownError,
    asyncpg_errors.CrashShutdownError,
    asyncpg_errors.TooManyConnectionsError,
)


class Database(Protocol):
    """Where connections come from: the real pool, or in tests one connection inside a transaction."""

    def acquire(self) -> AbstractAsyncContextManager[Connection]: ...


async def init_connection(conn: Connection) -> None:
    # jsonb in and out as Python values: the activity log's before/after are dicts.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def keep_session(conn: Connection) -> None:
    """What the pool does to a connection it takes back, after asyncpg has rolled back any open
    transaction and dropped its listeners: nothing more. By default asyncpg also sends
    `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`, a round trip on every
    release: one per request and per loader batch (py-spy on the small query: 12% of its samples).
    The application keeps no session state for it to undo: no SET, LISTEN or cursor outside a
    transaction, and the one session advisory lock (migrations) is unlocked where it is taken and
    followed by a full reset (server.py). tests/db/test_pool.py checks a served workload leaves none."""


async def create_pool(
    url: str, *, min_size: int, max_size: int, statement_timeout_seconds: float
) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        reset=keep_session,
        # A request never hangs on a database that stopped answering: connect and statements time out.
        timeout=2.0,
        command_timeout=statement_timeout_seconds + 1.0,
        server_settings={
            "statement_timeout": str(int(statement_timeout_seconds * 1000)),
            "application_name": "carrier-admin",
        },
    )
    return pool


class PoolDatabase:
    def __init__(self, pool: asyncpg.Pool, acquire_timeout_seconds: float = 2.0) -> None:
        self.pool = pool
        self.acquire_timeout_seconds = acquire_timeout_seconds

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        # Fail fast (TimeoutError → SERVICE_UNAVAILABLE) rather than queue behind a dead database.
        async with self.pool.acquire(timeout=self.acquire_timeout_seconds) as conn:
            yield conn


class SharedDatabase:
    """A bounded share of the pool: at most `slots` of its connections are held through this view at
    once; the others wait their turn (then for a connection as anyone does).

    Work that outlives a request and scales with the clients (each subscription re-reads its rights and
    its rows for every event) must queue behind its share rather than empty the pool: the pool's acquire
    timeout would otherwise end subscriptions, and refuse GraphQL requests, whenever enough events
    arrive at once."""

    def __init__(self, database: Database, slots: asyncio.Semaphore) -> None:
        self.database = database
        self.slots = slots

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        async with self.slots, self.database.acquire() as conn:
            yield conn


class StatementCounter:
    """Counts the statements one request sends to PostgreSQL (and, when tracing, traces them)."""

    def __init__(self) -> None:
        self.count = 0
        self.on_statement: Callable[[LoggedQuery], None] | None = None

    def __call__(self, query: LoggedQuery) -> None:
        self.count += 1
        if self.on_statement is not None:
            self.on_statement(query)


class CountingDatabase:
    """A request's view of the database: the same connections, every statement counted."""

    def __init__(self, database: Database, counter: StatementCounter) -> None:
        self.database = database
        self.counter = counter

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        async with self.database.acquire() as conn:
            conn.add_query_logger(self.counter)
            try:
                yield conn
            finally:
                conn.remove_query_logger(self.counter)
