"""The server as users run it: `python server.py serve` processes on one database.

- SIGTERM: in-flight requests finish, pending last-use records are flushed, the process exits 0.
- Two instances started at once on an empty database: migrations race-free; a revocation and an
  enablement change made through one are seen by the other (a revoked key within a second, through the
  change feed; at once by the instance that revoked it); rate limits shared through Redis.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
CREATE_KEY = """
mutation ($c: ID!) { createApiKey(input: {carrierId: $c, description: "Shared", scopes: [CARRIER_READ]}) {
  ... on CreateApiKeyPayload { secret apiKey { id } } } }
"""
REVOKE_KEY = 'mutation ($k: ID!) { revokeApiKey(input: {id: $k, reason: "test"}) { __typename } }'
SET_ENABLEMENT = """
mutation ($c: ID!) { setCarrierEnablement(input: {carrierId: $c, featureKey: "test.shared", state: ENABLED,
  reason: "test"}) { __typename } }
"""
READ_ENABLEMENT = '{ carrier(code: "PROC1") { enablements { feature { key } effective source } } }'
VIEWER = "{ viewer { kind } }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


class Server:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    async def post(
        self, session: aiohttp.ClientSession, query: str, headers: dict[str, str], **variables: Any
    ) -> tuple[int, Any]:
        async with session.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers
        ) as response:
            return response.status, await response.json()


# Only a guard against a server that hangs: a busy machine may take long to start one, and the tests
# wait for readiness itself, however long it takes within this.
STARTUP_DEADLINE_SECONDS = 120


async def _ready(server: Server, session: aiohttp.ClientSession) -> None:
    """Until /readyz answers 200: the server listens and its database answers."""
    deadline = asyncio.get_running_loop().time() + STARTUP_DEADLINE_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        if server.process.returncode is not None:
            raise AssertionError(f"server exited with {server.process.returncode}")
        try:
            async with session.get(f"{server.url}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"server did not become ready within {STARTUP_DEADLINE_SECONDS} s")


@asynccontextmanager
async def servers(
    database: str, count: int, env: Mapping[str, str] | None = None, *, log: Path | None = None
) -> AsyncIterator[list[Server]]:
    """`count` server processes on `database` with `env` added to their environment, started at the same
    moment; their output goes to `log` (or nowhere)."""
    started = []
    output = log.open("ab") if log is not None else None
    for _ in range(count):
        port = free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": database,
            "PORT": str(port),
            "JWT_HS256_SECRET": TEST_SECRET,
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        destination = output if output is not None else asyncio.subprocess.DEVNULL
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "server.py",
            "serve",
            cwd=ROOT,
            env=environment,
            stdout=destination,
            stderr=destination,
        )
        started.append(Server(process, port))
    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(_ready(server, session) for server in started))
        yield started
    finally:
        for server in started:
            if server.process.returncode is None:
                server.process.kill()
            await asyncio.wait_for(server.process.wait(), timeout=10)
        if output is not None:
            output.close()


async def test_sigterm_finishes_in_flight_requests_and_flushes_last_use(own_database: str) -> None:
    # given: a key, and a server that would flush last use only once an hour
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, "PROC0")
    key_id, secret = await factories.api_key(conn, carrier_id)
    await conn.close()
    async with servers(own_database, 1, {"API_KEY_LAST_USED_FLUSH_SECONDS": "3600"}) as (server,):
        blocker = await asyncpg.connect(own_database)
        async with aiohttp.ClientSession() as session:
            assert (await server.post(session, VIEWER, factories.bearer(secret)))[0] == 200
            # when: a request is in flight (held by a table lock) as SIGTERM arrives
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute("lock table carriers in access exclusive mode")
            in_flight = asyncio.ensure_future(
                server.post(
                    session, '{ carrier(code: "PROC0") { code } }', factories.bearer(factories.staff_token())
                )
            )
            await asyncio.sleep(0.3)
            server.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            await transaction.rollback()
            status, body = await in_flight
        await blocker.close()
        # then: the in-flight request was answered, and the process exits cleanly
        assert status == 200, body
        assert body["data"]["carrier"] == {"code": "PROC0"}
        assert await asyncio.wait_for(server.process.wait(), timeout=20) == 0
    conn = await asyncpg.connect(own_database)
    last_used = await conn.fetchval("select last_used_at from api_keys where id = $1", key_id)
    await conn.close()
    assert last_used is not None


async def test_two_instances_share_one_database(own_database: str, empty_database: str) -> None:
    # given: two instances started at once on an empty database (both migrate it)
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "RATE_LIMIT_PER_KEY": "3"} if redis_answers() else {}
    async with servers(empty_database, 2, env) as (a, b):
        conn = await asyncpg.connect(empty_database)
        applied = await conn.fetchval("select count(*) from schema_migrations")
        carrier_id = await factories.carrier(conn, "PROC1")
        await factories.feature(conn, "test.shared")
        await conn.close()
        assert applied >= 1
        staff = factories.bearer(factories.staff_token())
        carrier = to_global_id("Carrier", carrier_id)
        async with aiohttp.ClientSession() as session:
            # a key issued through A works on B
            status, body = await a.post(session, CREATE_KEY, staff, c=carrier)
            issued = body["data"]["createApiKey"]
            assert (await b.post(session, VIEWER, factories.bearer(issued["secret"])))[0] == 200
            # an enablement set through A is what B reads next
            await a.post(session, SET_ENABLEMENT, staff, c=carrier)
            _, read = await b.post(session, READ_ENABLEMENT, staff)
            assert {"feature": {"key": "test.shared"}, "effective": True, "source": "CARRIER"} in read[
                "data"
            ]["carrier"]["enablements"]
            if env:
                # rate limits are shared: the key has made 1 request (on B); 2 more anywhere reach 3
                assert (await a.post(session, VIEWER, factories.bearer(issued["secret"])))[0] == 200
                assert (await b.post(session, VIEWER, factories.bearer(issued["secret"])))[0] == 200
                limited, refusal = await a.post(session, VIEWER, factories.bearer(issued["secret"]))
                assert limited == 429, refusal
            # a revocation through A is seen by B within a second (the change feed's notification)
            await a.post(session, REVOKE_KEY, staff, k=issued["apiKey"]["id"])
            status, refusal = await refused_within(b, session, issued["secret"], 1.0)
            assert status == 401
            assert "revoked" in refusal["errors"][0]["message"]


async def refused_within(
    server: Server, session: aiohttp.ClientSession, secret: str, seconds: float
) -> tuple[int, Any]:
    """The first time `server` refuses the key as not valid (401), which must come within `seconds`.
    Until it hears of a revocation the key is valid there, and may be over its rate limit meanwhile
    (429): who the caller is comes before how often it calls, so once it knows, the answer is 401."""
    async with asyncio.timeout(seconds):
        while True:
            status, body = await server.post(session, VIEWER, factories.bearer(secret))
            if status not in (200, 429):
                return status, body
            await asyncio.sleep(0.01)


async def feed_listening(server: Server, session: aiohttp.ClientSession) -> None:
    async with asyncio.timeout(STARTUP_DEADLINE_SECONDS):
        while True:
            async with session.get(f"{server.url}/readyz") as response:
                if (await response.json()).get("changeFeed") == "listening":
                    return
            await asyncio.sleep(0.05)


async def key_cache_hits(server: Server, session: aiohttp.ClientSession) -> float:
    async with session.get(f"{server.url}/metrics") as response:
        text = await response.text()
    line = next(
        line for line in text.splitlines() if line.startswith('carrier_admin_api_key_cache{what="hit"}')
    )
    return float(line.rsplit(" ", 1)[1])


async def remembered(server: Server, session: aiohttp.ClientSession, secret: str) -> None:
    """Present the key until `server` answers it from its cache. A lookup that was under way when the
    key's own creation was heard (the feed's notification comes when it comes) is not remembered, so
    the first two presentations may both be looked up: wait for the hit, not for a count of requests."""
    async with asyncio.timeout(STARTUP_DEADLINE_SECONDS):
        while True:
            before = await key_cache_hits(server, session)
            assert (await server.post(session, VIEWER, factories.bearer(secret)))[0] == 200
            if await key_cache_hits(server, session) > before:
                return


async def test_a_revoked_key_is_refused_at_once_where_revoked_and_within_a_second_elsewhere(
    own_database: str,
) -> None:
    # given: two instances hearing the change feed, and a key both remember
    async with servers(own_database, 2) as (a, b), aiohttp.ClientSession() as session:
        for server in (a, b):
            await feed_listening(server, session)
        conn = await asyncpg.connect(own_database)
        carrier = to_global_id("Carrier", await factories.carrier(conn, factories.unique_code("RV")))
        await conn.close()
        staff = factories.bearer(factories.staff_token())
        _, body = await a.post(session, CREATE_KEY, staff, c=carrier)
        issued = body["data"]["createApiKey"]
        for server in (a, b):
            await remembered(server, session, issued["secret"])

        # when: it is revoked through A
        await a.post(session, REVOKE_KEY, staff, k=issued["apiKey"]["id"])

        # then: A refuses it on the next request, B within a second
        assert (await a.post(session, VIEWER, factories.bearer(issued["secret"])))[0] == 401
        status, _ = await refused_within(b, session, issued["secret"], 1.0)
        assert status == 401


async def test_sigterm_closes_subscriptions_and_exports_at_once_and_exits_within_its_time(
    own_database: str,
) -> None:
    # given: a server with an open subscription, and an export whose client stopped reading
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, factories.unique_code("SD"))
    await conn.execute(
        """insert into activity_log (actor_kind, actor_is_staff, action, carrier_id, after)
           select 'system', true, 'carrier.update', $1, jsonb_build_object('note', repeat('z', 2000))
           from generate_series(1, 3000)""",
        carrier_id,
    )
    await conn.close()
    carrier = to_global_id("Carrier", carrier_id)
    shutdown_seconds = 4.0
    env = {"SHUTDOWN_TIMEOUT_SECONDS": str(shutdown_seconds), "EXPORT_STALL_SECONDS": "600"}
    staff = factories.staff_token()
    async with servers(own_database, 1, env) as (server,), aiohttp.ClientSession() as session:
        ws = await session.ws_connect(f"{server.url}/graphql", protocols=["graphql-transport-ws"])
        await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {staff}"}})
        assert (await ws.receive_json())["type"] == "connection_ack"
        subscribe = {"query": "subscription ($c: ID!) { apiKeyChanges(carrierId: $c) { action } }"}
        await ws.send_json(
            {"type": "subscribe", "id": "1", "payload": {**subscribe, "variables": {"c": carrier}}}
        )
        export = await session.get(
            f"{server.url}/export/carriers/{carrier}/activity.csv", headers=factories.bearer(staff)
        )
        assert export.status == 200
        await export.content.readexactly(100)  # then reads no more

        # when: SIGTERM
        loop = asyncio.get_running_loop()
        server.process.send_signal(signal.SIGTERM)
        sent = loop.time()

        # then: the subscription is told the server is going away (1001), not cut (1006)
        closing = await ws.receive(timeout=60)
        assert closing.type is aiohttp.WSMsgType.CLOSE, closing
        assert closing.data == 1001
        # and the process exits cleanly within its shutdown time, the export ended with it
        assert await asyncio.wait_for(server.process.wait(), timeout=60) == 0
        assert loop.time() - sent < shutdown_seconds + 3.0  # it was 28 s: twice the timeout
        export.close()
        await ws.close()
