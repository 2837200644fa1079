"""The connection pool, and a per-request view of it that counts SQL statements.

Every statement the application runs goes through `Database.acquire()`, so counting them (for the
statements-per-request figure and the tests that pin it) needs no cooperation from repository code.
Each connection reports its statements to one logger for its whole life (`init_connection`), which
counts them for whoever holds the connection through a `CountingDatabase` at the time: asyncpg calls
the logger on a later turn of the loop, in the context the statement ran in, where `COUNTING` names
that request's counter. Registering a logger per borrowing instead cost each statement two proxy calls
and two inspections of the callback (about 9 µs of a small query's 380).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Protocol

import asyncpg
from asyncpg import exceptions as asyncpg_errors
from asyncpg.connection import LoggedQuery
from asyncpg.pool import PoolConnectionProxy

from db.deadlines import Deadlines
from db.kept_pool import KEEP_IDLE_SECONDS, KeptPool

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
    """What every connection the application uses is given once: jsonb in and out as Python values
    (the activity log's before/after are dicts), and the logger that counts its statements."""
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    conn.add_query_logger(_count_statement)


async def keep_session(conn: Connection) -> None:
    """What the pool does to a connection it takes back, after asyncpg has rolled back any open
    transaction and dropped its listeners: nothing more. By default asyncpg also sends
    `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`, a round trip on every
    release: one per request and per loader batch (py-spy on the small query: 12% of its samples).
    The application keeps no session state for it to undo: no SET, LISTEN or cursor outside a
    transaction, and the one session advisory lock (migrations) is unlocked where it is taken and
    followed by a full reset (server.py). tests/db/test_pool.py checks a served workload leaves none."""


async def create_pool(
    url: str,
    *,
    min_size: int,
    max_size: int,
    statement_timeout_seconds: float,
    keep_idle_seconds: float = KEEP_IDLE_SECONDS,
) -> KeptPool:
    # As asyncpg.create_pool builds its pool, with its defaults, as the pool that keeps what is given
    # back cleanly (db/kept_pool.py) for at most `keep_idle_seconds` unused.
    pool = KeptPool(
        url,
        keep_idle_seconds=keep_idle_seconds,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
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
    await pool
    return pool


class PoolDatabase:
    def __init__(self, pool: KeptPool, acquire_timeout_seconds: float = 2.0) -> None:
        self.pool = pool
        self.acquire_timeout_seconds = acquire_timeout_seconds
        self.waits = Deadlines()

    def acquire(self) -> AbstractAsyncContextManager[Connection]:
        return _Lent(self)

    async def borrow(self) -> PoolConnectionProxy:
        """A connection to give back later (`give_back`), as `acquire` would lend it.

        Waiting for a connection fails fast (TimeoutError → SERVICE_UNAVAILABLE) rather than queue
        behind a dead database. The wait is limited by the pool's own `Deadlines` (db/deadlines.py), not
        by asyncpg's timeout, which runs the acquire as a task of its own (12 µs of a request's CPU), nor
        by asking first whether a connection is idle (`get_idle_size` visits every connection: 3 µs). A
        connection that must be opened again is bounded by the pool's connect timeout too, its reset on
        release by the statements' command timeout. A connection the pool kept (db/kept_pool.py) is
        taken without waiting at all."""
        conn = self.pool.take()
        if conn is not None:
            return conn
        async with self.waits.limit(self.acquire_timeout_seconds):
            return await self.pool.acquire()

    async def give_back(self, conn: PoolConnectionProxy, *, clean: bool = False) -> None:
        """`conn` back to the pool; `clean`: its last statement ended without an error (the pool may
        keep it for the next borrower as it is)."""
        if clean and self.pool.keep(conn):
            return
        await self.pool.release(conn, timeout=self.acquire_timeout_seconds)

    def has_idle(self) -> bool:
        """Whether a connection waits in the pool (else someone may be waiting for one)."""
        return self.pool.has_idle()


class HeldDatabase:
    """A request's share of the pool that keeps the first connection it borrows between its statements,
    until `close()`: the main query's five statements then cost one acquire and one release, not five
    (each pair is about 30 µs of CPU: asyncpg runs the acquire's timeout and the release in tasks).

    It never makes anyone wait on it:
    - a statement while the kept connection is busy (a level's loader batches run at once) borrows
      another from the pool, as any request's statement does;
    - at the end of each statement on it, the connection goes back if the pool has none idle (someone
      may be waiting for one), so a request holds at most one idle connection, and only while the pool
      has others to give;
    - a statement that fails or is cancelled gives its connection back (the pool resets it), and so does
      one that leaves a transaction open (none does: transactions are `async with`).
    For a request answered at once (web/lean.py): work that outlives a request (a stream, a
    subscription, an export) borrows per statement, so no idle connection waits on a slow reader."""

    def __init__(self, database: PoolDatabase) -> None:
        self.database = database
        self.held: PoolConnectionProxy | None = None
        self.busy = False
        self.closed = False

    def acquire(self) -> AbstractAsyncContextManager[Connection]:
        return _Kept(self)

    async def close(self) -> None:
        """The request is answered: its connection goes back (a statement still running gives it back
        when it ends)."""
        self.closed = True
        if not self.busy:
            await self.give_back_held()

    async def give_back_held(self, *, clean: bool = True) -> None:
        """The kept connection, if any, back to the pool (`_Kept` too, at the end of a statement);
        `clean`: its last statement ended without an error (the only kind it holds between them)."""
        held, self.held = self.held, None
        if held is not None:
            await self.database.give_back(held, clean=clean)


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


# The counter of the `CountingDatabase` whose connection the running code holds, if any.
COUNTING: ContextVar[StatementCounter | None] = ContextVar("COUNTING", default=None)


def _count_statement(query: LoggedQuery) -> None:
    counter = COUNTING.get()
    if counter is not None:
        counter(query)


class CountingDatabase:
    """A request's view of the database: the same connections, every statement counted."""

    def __init__(self, database: Database, counter: StatementCounter) -> None:
        self.database = database
        self.counter = counter

    def acquire(self) -> AbstractAsyncContextManager[Connection]:
        return _Counted(self.database.acquire(), self.counter)


# The context managers above as classes: a statement enters two or three of them, and a generator-based
# one costs a generator and its frame besides (about 1 µs an entry and exit).


class _Lent:
    """A connection of the pool for one `async with`, given back at its end."""

    __slots__ = ("conn", "database")

    def __init__(self, database: PoolDatabase) -> None:
        self.database = database
        self.conn: PoolConnectionProxy | None = None

    async def __aenter__(self) -> Connection:
        self.conn = await self.database.borrow()
        return self.conn

    async def __aexit__(self, *exc: object) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            # With its own timeout: a connection borrowed without one would wait on its reset (or on
            # PostgreSQL answering a cancelled statement's cancel) without end.
            await self.database.give_back(conn, clean=exc[0] is None)


class _Kept:
    """HeldDatabase's connection for one `async with` (or, while it is busy or closed, the pool's)."""

    __slots__ = ("held", "other")

    def __init__(self, held: HeldDatabase) -> None:
        self.held = held
        self.other: AbstractAsyncContextManager[Connection] | None = None

    async def __aenter__(self) -> Connection:
        held = self.held
        if held.busy or held.closed:
            self.other = held.database.acquire()
            return await self.other.__aenter__()
        held.busy = True
        try:
            if held.held is None:
                held.held = await held.database.borrow()
        except BaseException:
            held.busy = False
            raise
        return held.held

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.other is not None:
            await self.other.__aexit__(exc_type, exc, tb)
            return
        held = self.held
        kept = False
        try:
            if exc_type is None:
                conn = held.held
                kept = (
                    conn is not None
                    and not held.closed
                    and not conn.is_in_transaction()
                    and held.database.has_idle()
                )
        finally:
            held.busy = False
            if not kept:
                await held.give_back_held(clean=exc_type is None)


class _Counted:
    """A connection whose statements are counted while the `async with` lasts (by the connection's own
    logger, `init_connection`: this names the counter for the code inside the `async with`)."""

    __slots__ = ("counter", "inner", "token")

    def __init__(self, inner: AbstractAsyncContextManager[Connection], counter: StatementCounter) -> None:
        self.inner = inner
        self.counter = counter
        self.token: Token[StatementCounter | None] | None = None

    async def __aenter__(self) -> Connection:
        conn = await self.inner.__aenter__()
        self.token = COUNTING.set(self.counter)
        return conn

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        token, self.token = self.token, None
        try:
            if token is not None:
                _stop_counting(token)
        finally:
            await self.inner.__aexit__(exc_type, exc, tb)


def _stop_counting(token: Token[StatementCounter | None]) -> None:
    # A borrowing ended in another context than it began in (an async generator holding the connection,
    # closed by another task, as the loop's finalizer does): that context never named this counter.
    with suppress(ValueError):
        COUNTING.reset(token)
