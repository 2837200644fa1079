"""What a subscription costs the server, and that it gives it back.

- A client that subscribes and then never reads is closed (1013) once what is queued for it passes
  WS_MAX_SEND_BUFFER_BYTES or a message waits WS_SEND_STALL_SECONDS: its watch, its tasks and its
  queued bytes are gone, and the server goes on serving.
- Each delivered event leaves nothing behind: no object that outlives it while the subscription runs,
  and none in a reference cycle for the collector.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.global_ids import to_global_id
from schema.feature import Feature
from server import init_app
from tests import factories
from tests.conftest import make_settings
from web.app_keys import CHANGE_FEED, DATABASE, LIVE, METRICS, SOCKETS

WAIT = 30.0
HEAVY_ACTIVITY = "subscription ($c: ID!) { activityAppended(carrierId: $c) { action after reason } }"
KEY_CHANGES = "subscription ($c: ID!) { apiKeyChanges(carrierId: $c) { action apiKey { id hint status } } }"


@contextlib.asynccontextmanager
async def instance(database: str, **overrides: Any) -> AsyncIterator[TestClient[Any, Any]]:
    settings = make_settings(database_url=database, rate_limit_per_person=100_000, **overrides)
    async with TestClient(TestServer(init_app(settings))) as client:
        feed = client.app[CHANGE_FEED]
        assert feed is not None
        async with asyncio.timeout(WAIT):
            await feed.until_listening()
        yield client


def small_receive_buffer(address: Any) -> socket.socket:
    """A client socket that holds little: a client that stops reading is felt by the server at once."""
    family, kind, protocol, _, _ = address
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


async def subscribed(
    session: aiohttp.ClientSession, client: TestClient[Any, Any], query: str, variables: dict[str, Any]
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(
        client.make_url("/graphql"), protocols=["graphql-transport-ws"], compress=0, autoping=False
    )
    token = factories.staff_token()
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await ws.receive_json())["type"] == "connection_ack"
    await ws.send_json({"type": "subscribe", "id": "1", "payload": {"query": query, "variables": variables}})
    return ws


async def watching(client: TestClient[Any, Any], count: int) -> None:
    live = client.app[LIVE]
    async with asyncio.timeout(WAIT):
        while len(live.watches) < count:  # noqa: ASYNC110 - the instance's state is polled
            await asyncio.sleep(0.01)


async def watching_none(client: TestClient[Any, Any]) -> None:
    live = client.app[LIVE]
    async with asyncio.timeout(WAIT):
        while live.watches:  # noqa: ASYNC110 - the instance's state is polled
            await asyncio.sleep(0.01)


async def new_carrier(database: str) -> tuple[asyncpg.Connection, Any]:
    conn = await asyncpg.connect(database)
    return conn, await factories.carrier(conn, factories.unique_code("SB"))


async def test_a_subscriber_that_does_not_read_is_closed_and_what_it_held_is_freed(own_database: str) -> None:
    conn, carrier = await new_carrier(own_database)
    limits = {"ws_max_send_buffer_bytes": 256 * 1024, "ws_send_stall_seconds": 1.0}
    async with (
        instance(own_database, **limits) as client,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=small_receive_buffer)) as session,
    ):
        # given: a subscription to heavy events (20 KB each), whose client never reads
        ws = await subscribed(session, client, HEAVY_ACTIVITY, {"c": to_global_id("Carrier", carrier)})
        await watching(client, 1)

        # when: far more events than any buffer holds
        sockets = client.app[SOCKETS]
        async with asyncio.timeout(WAIT):
            while sockets.closers:
                await conn.execute(
                    """insert into activity_log (actor_kind, actor_is_staff, action, carrier_id, after)
                       values ('system', true, 'carrier.update', $1,
                               jsonb_build_object('note', repeat('y', 20000)))""",
                    carrier,
                )
                await asyncio.sleep(0.01)

        # then: the server has closed it, gives back what it held (the subscription's task unwinds after
        # the socket's closer is gone, so its watch is released a moment later), and goes on serving
        assert client.app[METRICS].registry.get_sample_value("carrier_admin_websocket_too_slow_total") == 1
        await watching_none(client)
        assert not sockets.by_caller
        reply = await client.post(
            "/graphql",
            json={"query": "{ viewer { kind } }"},
            headers=factories.bearer(factories.staff_token()),
        )
        assert reply.status == 200
        await ws.close()
    await conn.close()


async def events_received(ws: aiohttp.ClientWebSocketResponse, count: int) -> None:
    async with asyncio.timeout(WAIT):
        received = 0
        while received < count:
            frame = await ws.receive()
            if frame.type == aiohttp.WSMsgType.PING:  # the server's heartbeat (autoping is off)
                await ws.pong(frame.data)
                continue
            message = json.loads(frame.data)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            received += 1


# A cancelled timer's objects: asyncio leaves a cancelled timer (and the context it copied) in its heap
# until cancelled ones are over half of it, so how many wait there depends on the timers the session's
# earlier tests left scheduled, not on what the events leave.
CANCELLED_TIMER_PARTS = {"Context", "hamt", "hamt_bitmap_node", "hamt_array_node", "hamt_collision_node"}


async def tracked_objects() -> int:
    """Objects the collector tracks, less cancelled timers waiting for the loop to drop them."""
    gc.collect()
    objects = gc.get_objects()
    waiting: set[int] = set()
    parts = [o for o in objects if isinstance(o, asyncio.TimerHandle) and o.cancelled()]
    while parts:
        part = parts.pop()
        if id(part) not in waiting:
            waiting.add(id(part))
            parts.extend(r for r in gc.get_referents(part) if type(r).__name__ in CANCELLED_TIMER_PARTS)
    return len(objects) - len(waiting)


MANY = 200


async def test_each_delivered_event_leaves_nothing_behind(own_database: str) -> None:
    """Before: each event added ~2 KB that lived as long as the subscription (graphql-core's per-event
    executors shared the subscription's memos, keyed by each event's new field lists), then waited for
    the cyclic collector."""
    conn, carrier = await new_carrier(own_database)
    async with instance(own_database) as client, aiohttp.ClientSession() as session:
        ws = await subscribed(session, client, KEY_CHANGES, {"c": to_global_id("Carrier", carrier)})
        await watching(client, 1)

        async def deliver(count: int) -> None:
            for _ in range(count):
                await factories.api_key(conn, carrier)
            await events_received(ws, count)

        async def left_after(count: int) -> tuple[int, int]:
            """Objects still tracked after `count` more events, and those left in reference cycles."""
            before = await tracked_objects()
            gc.set_debug(gc.DEBUG_SAVEALL)
            try:
                await deliver(count)
                gc.collect()
                cyclic = len(gc.garbage)
            finally:
                gc.set_debug(0)
                gc.garbage.clear()
            return await tracked_objects() - before, cyclic

        await deliver(10)  # caches, prepared statements and plans made once
        # Each measured more than once: what each event leaves is left every time, while what the process
        # happens to allocate or free meanwhile (a rate-limit window rolling over, the feed's heartbeats,
        # an earlier test's leftovers collected in the middle of one measurement) rarely repeats itself.
        # So the baseline is the most a few events leave, and the figure for many the least.
        fews = [await left_after(10) for _ in range(2)]
        manys = [await left_after(MANY) for _ in range(3)]
        few = (max(f[0] for f in fews), max(f[1] for f in fews))
        many = (min(m[0] for m in manys), min(m[1] for m in manys))
        await ws.close()

    # Many more events must add less than half an object each, in cycles or not: a leak of one object
    # an event (190 objects) stands well clear of what the process does meanwhile (a few dozen either way).
    assert (many[0] - few[0]) / (MANY - 10) < 0.5, (fews, manys)
    assert (many[1] - few[1]) / (MANY - 10) < 0.5, (fews, manys)
    await conn.close()


async def subscribed_many(
    session: aiohttp.ClientSession, client: TestClient[Any, Any], carrier: Any, count: int
) -> aiohttp.ClientWebSocketResponse:
    """One connection with `count` subscriptions to a carrier's key changes."""
    ws = await subscribed(session, client, KEY_CHANGES, {"c": to_global_id("Carrier", carrier)})
    for number in range(2, count + 1):
        payload = {"query": KEY_CHANGES, "variables": {"c": to_global_id("Carrier", carrier)}}
        await ws.send_json({"type": "subscribe", "id": str(number), "payload": payload})
    return ws


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    connections=st.integers(min_value=2, max_value=4),
    per_connection=st.integers(min_value=5, max_value=10),
    changes=st.integers(min_value=2, max_value=4),
)
async def test_many_subscriptions_on_a_small_pool_get_every_event_and_graphql_keeps_answering(
    own_database: str, connections: int, per_connection: int, changes: int
) -> None:
    """Before: each subscription took a pool connection of its own for every event (its rights, its row),
    so that 200 subscriptions emptied a pool of 10: some ended with an uncoded, unlogged error and their
    events were lost. Now their reads queue on WS_DB_CONNECTIONS of the pool."""
    conn, carrier = await new_carrier(own_database)
    small = {
        "pool_max_size": 4,
        "export_max_concurrent": 1,
        "ws_db_connections": 1,
        # No wait for a connection at all: only a share that never asks for more than is free passes.
        "pool_acquire_timeout_seconds": 0.01,
        "ws_max_connections_per_caller": connections,
    }
    async with instance(own_database, **small) as client, aiohttp.ClientSession() as session:
        sockets = [
            await subscribed_many(session, client, carrier, per_connection) for _ in range(connections)
        ]
        await watching(client, connections * per_connection)

        async with contextlib.AsyncExitStack() as held:
            # given: the pool's four connections open, and two of them busy with other work meanwhile
            pool = client.app[DATABASE].pool
            busy = [await held.enter_async_context(pool.acquire()) for _ in range(4)]
            for connection in busy[2:]:
                await pool.release(connection)

            # when: changes, each an event for every subscription at once
            for _ in range(changes):
                await factories.api_key(conn, carrier)
            for ws in sockets:  # then: every subscription gets every change, and no error
                await events_received(ws, per_connection * changes)
        reply = await client.post(
            "/graphql",
            json={"query": "{ viewer { kind } }"},
            headers=factories.bearer(factories.staff_token()),
        )
        assert reply.status == 200
        for ws in sockets:
            await ws.close()
    await conn.close()


async def test_a_subscription_whose_database_does_not_answer_ends_as_one_to_make_again(
    own_database: str, caplog: Any
) -> None:
    """Before: a pool timeout ended a subscription as GRAPHQL_VALIDATION_FAILED ("An unknown error
    occurred."), which a client does not retry, and nothing was logged."""
    conn, carrier = await new_carrier(own_database)
    small = {"pool_max_size": 3, "export_max_concurrent": 1, "pool_acquire_timeout_seconds": 0.01}
    async with instance(own_database, **small) as client, aiohttp.ClientSession() as session:
        ws = await subscribed(session, client, KEY_CHANGES, {"c": to_global_id("Carrier", carrier)})
        await watching(client, 1)
        pool = client.app[DATABASE].pool
        async with contextlib.AsyncExitStack() as held:
            for _ in range(3):  # given: every connection of the pool busy
                await held.enter_async_context(pool.acquire())
            await factories.api_key(conn, carrier)  # when: an event
            async with asyncio.timeout(WAIT):
                message = await ws.receive_json()
        # then: the subscription ends with a code the client acts on (subscribe again), and the log says why
        assert message["type"] == "next", message
        [error] = message["payload"]["errors"]
        assert error["extensions"]["code"] == "SUBSCRIPTION_ENDED"
        assert "did not answer" in error["message"]
        assert any("the database did not answer" in record.getMessage() for record in caplog.records)
        await ws.close()
    await conn.close()


ENABLEMENT_CHANGES = (
    "subscription ($c: ID!) { enablementsChanged(carrierId: $c) { enablements { feature { key } state } } }"
)


def feature_views() -> int:
    """Feature objects alive in this process (the server runs in it)."""
    gc.collect()
    return sum(1 for item in gc.get_objects() if type(item) is Feature)


async def test_an_enablements_subscription_keeps_no_catalogue_per_event(own_database: str) -> None:
    """Each enablements event reads the catalogue and makes its features' views: they must go with the
    event. Before, the subscription's context kept every event's (until the subscription ended)."""
    conn, carrier = await new_carrier(own_database)
    feature = await factories.feature(conn)
    turns = itertools.count()
    async with instance(own_database) as client, aiohttp.ClientSession() as session:
        ws = await subscribed(session, client, ENABLEMENT_CHANGES, {"c": to_global_id("Carrier", carrier)})
        await watching(client, 1)

        async def deliver(count: int) -> None:
            # One at a time: an event is sent when the effective values differ from the last sent, so
            # two settings turned before the first is read would make one event, not two.
            for _ in range(count):
                await factories.set_carrier_enablement(conn, carrier, feature, next(turns) % 2 == 0)
                await events_received(ws, 1)

        await deliver(5)
        after_few = feature_views()
        await deliver(60)
        after_many = feature_views()
        await ws.close()

    # The catalogue holds at least the test's feature: keeping each event's views would add 60 or more.
    assert after_many - after_few < 30, (after_few, after_many)
    await conn.close()
