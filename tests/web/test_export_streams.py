"""CSV exports hold a pooled connection while they stream: whatever the client does, they let it go.

On an app with a real pool on a database of its own, a carrier with an activity log of several
megabytes, and clients on raw sockets whose receive buffer is small, so that a client that stops
reading stops the server's writes: the client reads some of the file (a generated amount) and then
stops reading, or goes away, or reads too slowly; each time the stream ends, and afterwards every
connection of the pool is idle and out of its transaction. Exports are admitted only within their
limits (per caller, and in all), refused at once with Retry-After, and never take GraphQL's pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn
from web.app_keys import STREAMS

WAIT = 30.0
ROWS = 2500
SETTINGS: dict[str, Any] = {
    "pool_max_size": 5,
    "export_max_concurrent": 2,
    "ws_db_connections": 2,
    "export_max_per_caller": 1,
    "export_stall_seconds": 0.5,
    "export_timeout_seconds": 30.0,
    "rate_limit_per_person": 100_000,
}


@contextlib.asynccontextmanager
async def serving(database: str, **overrides: Any) -> AsyncIterator[TestClient[Any, Any]]:
    app = init_app(make_settings(database_url=database, **{**SETTINGS, **overrides}))
    async with TestClient(TestServer(app)) as client:
        yield client


async def carrier_with_a_long_log(database: str) -> tuple[str, str]:
    """A carrier whose activity export is several megabytes: (global id, code)."""
    conn = await asyncpg.connect(database)
    code = factories.unique_code("EX")
    carrier = await factories.carrier(conn, code)
    await conn.execute(
        """
        insert into activity_log (actor_kind, actor_id, actor_is_staff, action, carrier_id, after, reason)
        select 'staff', 'exporter', true, 'carrier.update', $1,
               jsonb_build_object('note', repeat('x', 2000), 'n', n), 'long export'
        from generate_series(1, $2) as n
        """,
        carrier,
        ROWS,
    )
    await conn.close()
    return to_global_id("Carrier", carrier), code


async def raw_export(client: TestClient[Any, Any], carrier: str, token: str) -> tuple[Any, Any]:
    """A GET of the carrier's activity export on a socket with a small receive buffer."""
    port = client.server.port
    assert port is not None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(
        f"GET /export/carriers/{carrier}/activity.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    return reader, writer


async def read_bytes(reader: asyncio.StreamReader, count: int) -> int:
    """Read up to `count` bytes (fewer if the server ends first); how many were read."""
    taken = 0
    while taken < count:
        chunk = await reader.read(min(65536, count - taken))
        if not chunk:
            break
        taken += len(chunk)
    return taken


async def until_released(client: TestClient[Any, Any], database: str) -> None:
    """Until no export runs and no connection of the app waits inside a transaction."""
    conn = await asyncpg.connect(database)
    try:
        async with asyncio.timeout(WAIT):
            while True:
                held = await conn.fetchval(
                    """select count(*) from pg_stat_activity
                       where datname = current_database() and application_name = 'carrier-admin'
                         and state <> 'idle'"""
                )
                if held == 0 and client.app[STREAMS].running == 0:
                    return
                await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def closed_by_server(reader: asyncio.StreamReader) -> None:
    """Until the server has dropped the connection (a reset: what it had queued is not sent on)."""
    async with asyncio.timeout(WAIT):
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass


# How far a client reads before it stops reading, or hangs up: from nothing to well into the file.
MISBEHAVIOUR = st.tuples(st.sampled_from(["stops reading", "hangs up"]), st.integers(0, 2_000_000))


async def test_a_client_that_stops_reading_or_hangs_up_releases_the_connection(own_database: str) -> None:
    carrier, _ = await carrier_with_a_long_log(own_database)
    staff = factories.staff_token()
    async with serving(own_database) as client:
        for what, after_bytes in drawn(MISBEHAVIOUR, 6):
            reader, writer = await raw_export(client, carrier, staff)
            await read_bytes(reader, after_bytes)
            if what == "hangs up":
                writer.transport.abort()
            await until_released(client, own_database)
            if what == "stops reading":
                await closed_by_server(reader)  # dropped: a stream cut short is not a whole file
                writer.close()
        # and the export still works for a client that reads it all
        response = await client.get(
            f"/export/carriers/{carrier}/activity.csv", headers=factories.bearer(staff)
        )
        assert response.status == 200
        assert (await response.text()).count("long export") == ROWS


async def test_an_export_that_runs_past_its_time_is_ended(own_database: str) -> None:
    carrier, _ = await carrier_with_a_long_log(own_database)
    async with serving(own_database, export_stall_seconds=30.0, export_timeout_seconds=0.5) as client:
        reader, writer = await raw_export(client, carrier, factories.staff_token())
        # a reader slow enough never to finish in time, never so slow that a write stalls for long
        async with asyncio.timeout(WAIT):
            with contextlib.suppress(ConnectionError):
                while await reader.read(1024):  # noqa: ASYNC110 - reading slowly is the point
                    await asyncio.sleep(0.01)
        await until_released(client, own_database)
        writer.close()


async def test_exports_are_admitted_within_their_limits_and_never_take_graphqls_pool(
    own_database: str,
) -> None:
    carrier, code = await carrier_with_a_long_log(own_database)
    first, second, third = (factories.admin_token(carriers=[code], subject=f"exporter-{n}") for n in range(3))
    async with serving(own_database, export_stall_seconds=WAIT) as client:
        # given: two exports held open by clients that read only their first bytes
        held = [await raw_export(client, carrier, token) for token in (first, second)]
        for reader, _ in held:
            assert await read_bytes(reader, 12) == 12
        assert client.app[STREAMS].running == 2

        # when: the same caller, and a third, ask for another
        same_caller = await client.get(
            f"/export/carriers/{carrier}/activity.csv", headers=factories.bearer(first)
        )
        third_caller = await client.get(
            f"/export/carriers/{carrier}/activity.csv", headers=factories.bearer(third)
        )

        # then: refused at once, saying when to try again; and GraphQL is served meanwhile
        assert same_caller.status == 429
        assert third_caller.status == 503
        for refused, code_expected in ((same_caller, "RATE_LIMITED"), (third_caller, "SERVICE_UNAVAILABLE")):
            assert int(refused.headers["Retry-After"]) >= 1
            body = await refused.json()
            assert body["errors"][0]["extensions"]["code"] == code_expected
        answers = await asyncio.gather(
            *(
                client.post(
                    "/graphql", json={"query": "{ viewer { kind } }"}, headers=factories.bearer(third)
                )
                for _ in range(20)
            )
        )
        assert {answer.status for answer in answers} == {200}
        for _, writer in held:
            writer.transport.abort()
        await until_released(client, own_database)
