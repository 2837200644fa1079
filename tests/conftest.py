"""Test fixtures: a real PostgreSQL, a migrated template database, the real app over HTTP.

Isolation: each test gets one connection inside a transaction that is rolled back at the end, and the
app under test takes its connections from that transaction. Tests that need committed data or real
concurrency (races, two app instances) get a database of their own, copied from the template.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from asyncpg.connection import LoggedQuery
from hypothesis import settings as hypothesis_settings

from access.principal import Principal, staff
from context import Context
from db import embedded
from db.loaders import Loaders
from db.migrate import migrate
from db.pool import Connection, CountingDatabase, StatementCounter, init_connection
from server import init_app
from services.change_feed import ChangeFeed
from settings import Settings, fast_path_enabled
from web.view import utc_now

# Every property test runs without hypothesis' per-example deadline (200 ms by default): speed is the
# benchmark's business, and a deadline fails a test when the machine is busy (CI runs two suites at once).
hypothesis_settings.register_profile("carrier-admin", deadline=None)
hypothesis_settings.load_profile("carrier-admin")

BROWSER_SUITE = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser suite last (when it runs: BROWSER_TESTS=1). CI runs the suite again with FAST_PATH=0
    beside `make test`; Chromium, Node and two servers keep both cores busy, so the two Python-only runs
    share the cores first and the browser suite then runs alone (run first, beside the other run, it took
    945 s where each part alone takes 330 s and 270 s)."""
    items.sort(key=lambda item: item.path.is_relative_to(BROWSER_SUITE))


# Unique per test session: several sessions may share one server (CI beside a developer's run).
TEMPLATE = f"carrier_admin_test_template_{uuid.uuid4().hex[:8]}"
TEST_SECRET = "test-secret-for-hs256-signing-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


def database_url(base: str, name: str) -> str:
    """The same server as `base`, another database."""
    parsed = base.split("?", 1)
    head, _, _old = parsed[0].rpartition("/")
    query = f"?{parsed[1]}" if len(parsed) > 1 else ""
    return f"{head}/{name}{query}"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """DATABASE_URL when set, otherwise an embedded PostgreSQL kept in .pgdata-test."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    url, handle = embedded.start(ROOT / ".pgdata-test")
    yield url
    embedded.stop(handle)


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url(server_url, "postgres"))


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> AsyncIterator[str]:
    admin = await _admin(server_url)
    try:
        await admin.execute(f"create database {TEMPLATE}")
    finally:
        await admin.close()
    url = database_url(server_url, TEMPLATE)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    yield url
    admin = await _admin(server_url)
    try:
        await admin.execute(f"drop database if exists {TEMPLATE} with (force)")
    finally:
        await admin.close()


@asynccontextmanager
async def copied_database(server_url: str, template: str | None) -> AsyncIterator[str]:
    """A database of its own (from the template, or empty), dropped afterwards."""
    name = f"carrier_admin_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    try:
        source = f" template {template}" if template else ""
        await admin.execute(f"create database {name}{source}")
        try:
            yield database_url(server_url, name)
        finally:
            await admin.execute(f"drop database if exists {name} with (force)")
    finally:
        await admin.close()


@pytest.fixture
async def own_database(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A migrated database whose commits are real, for concurrency tests."""
    async with copied_database(server_url, TEMPLATE) as url:
        yield url


# How long a change feed may take to start listening (its first connection and LISTEN).
FEED_START_SECONDS = 5.0


@pytest.fixture
async def feed(own_database: str) -> AsyncIterator[ChangeFeed]:
    """The change feed of `own_database`, listening (services/change_feed.py)."""
    changes = ChangeFeed(lambda: asyncpg.connect(own_database))
    await changes.start()
    async with asyncio.timeout(FEED_START_SECONDS):
        await changes.until_listening()
    yield changes
    await changes.stop()


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    async with copied_database(server_url, None) as url:
        yield url


@pytest.fixture(scope="session")
async def shared_test_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """The database the rolled-back tests share; only ever changed inside a transaction."""
    async with copied_database(server_url, TEMPLATE) as url:
        yield url


class TransactionDatabase:
    """Hands the app the test's own connection, so everything the app does is rolled back.

    Each acquisition is a savepoint: as with the pool's connections, a statement that fails leaves the
    next acquisition able to run (the fast executor runs a failed operation again on the standard one).
    Acquisitions are serialised; a nested acquisition would deadlock, so it fails fast instead.

    A task cancelled while its savepoint is made, released or rolled back (graphql-core cancels the
    sibling fields of one that failed) lets that statement finish first: asyncpg would cancel it in
    PostgreSQL, and a cancelled SAVEPOINT aborts the test's whole transaction, so that every later
    statement of the test fails ("current transaction is aborted"). A pool's connection is rolled back
    and reset when it goes back; this one connection has only its savepoints.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        async with asyncio.timeout(5):
            await self.lock.acquire()
        try:
            savepoint = self.conn.transaction()
            if await finished(savepoint.start()):
                await finished(savepoint.rollback())
                raise asyncio.CancelledError
            try:
                yield self.conn
            except BaseException:
                await finished(savepoint.rollback())
                raise
            if await finished(savepoint.commit()):
                raise asyncio.CancelledError
        finally:
            self.lock.release()


async def finished(step: Awaitable[None]) -> bool:
    """Await `step` to its end even if this task is cancelled meanwhile (its own error is raised);
    whether the task was cancelled, for the caller to raise once its bookkeeping is done."""
    task = asyncio.ensure_future(step)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    task.result()
    return cancelled


@pytest.fixture
async def conn(shared_test_url: str) -> AsyncIterator[Connection]:
    connection = await asyncpg.connect(shared_test_url)
    await init_connection(connection)
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


def make_settings(**overrides: Any) -> Settings:
    # The expiry notices job writes activity rows on its own: only its tests turn it on.
    base = Settings(
        jwt_hs256_secret=TEST_SECRET,
        trusted_proxies="",
        key_expiry_check_seconds=0,
        fast_path=fast_path_enabled(),  # FAST_PATH=0 runs the suite on graphql-core's executor alone
    )
    return replace(base, **overrides)


def staff_context(
    conn: Connection,
    now: datetime,
    statements: list[str] | None = None,
    principal: Principal | None = None,
    *,
    json_writer: bool = False,
) -> Context:
    """The context a staff member's (or `principal`'s) request gets, on the test's connection, for
    executing the schema directly (no HTTP); `statements` collects the SQL it sends; `json_writer`, as
    an HTTP request's (its data is written by orjson, which may be left its datetimes)."""
    counter = StatementCounter()
    if statements is not None:
        counter.on_statement = lambda query: statements.append(query.query)
    db = CountingDatabase(TransactionDatabase(conn), counter)
    principal = principal or staff("schema-test", "Schema Test", None)
    clock = lambda: now  # noqa: E731
    return Context(
        make_settings(),
        principal,
        db,
        Loaders(db, principal.reach, clock),
        counter,
        "t",
        None,
        clock,
        json_writer=json_writer,
    )


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
async def client(conn: Connection, settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    app = init_app(settings, database=TransactionDatabase(conn))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def make_client(conn: Connection) -> AsyncIterator[ClientFactory]:
    """Another app on the test's transaction, with its own settings and clock:
    `await make_client(trusted_proxies="127.0.0.1/32", now=lambda: fixed_time)`."""
    clients: list[TestClient[Any, Any]] = []

    async def make(now: Callable[[], datetime] | None = None, **overrides: Any) -> TestClient[Any, Any]:
        app = init_app(make_settings(**overrides), database=TransactionDatabase(conn), now=now or utc_now)
        test_client = TestClient(TestServer(app))
        await test_client.start_server()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        await test_client.close()


SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class StatementLog:
    """The statements sent on the test's connection: by the app under test and by the test itself."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, query: LoggedQuery) -> None:
        if not query.query.startswith(SAVEPOINTS):  # the test database's own (TransactionDatabase)
            self.queries.append(query.query)

    def clear(self) -> None:
        self.queries.clear()

    async def count(self) -> int:
        # asyncpg calls query loggers through call_soon: let pending callbacks run first.
        await asyncio.sleep(0)
        return len(self.queries)


@pytest.fixture
def sql_log(conn: Connection) -> Iterator[StatementLog]:
    log = StatementLog()
    conn.add_query_logger(log)
    yield log
    conn.remove_query_logger(log)


GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def graphql(client: TestClient[Any, Any]) -> GraphQL:
    """POST a GraphQL document; return the decoded JSON body (any status)."""

    async def post(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
        body: dict[str, Any] = await response.json()
        return body

    return post
