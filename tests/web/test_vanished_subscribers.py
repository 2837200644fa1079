"""A subscriber that vanishes (its TCP connection closed without a close frame, or reset) leaves no open
WebSocket behind on the server: an open one keeps its heartbeat timer, and with it the request and its
response, until the next ping fails (WS_KEEPALIVE_SECONDS later). One that vanishes before the upgrade is
answered is no error of the server's (nothing logged as one: it was, "unhandled error", from
`response.prepare` writing to the closed connection).

Served as `server.py serve` serves (aiohttp's AppRunner, which does not cancel a handler whose client
left; aiohttp's TestServer does, and its cancelled handlers' WebSockets stay open until that ping)."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import struct
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.global_ids import to_global_id
from server import init_app
from tests.conftest import make_settings
from tests.web.test_subscription_resources import KEY_CHANGES, WAIT, new_carrier, subscribed, watching
from web.app_keys import CHANGE_FEED

SUBSCRIBERS = 4


class ServedAsInProduction(TestServer):
    """The app on aiohttp's AppRunner with its default handler_cancellation (False), as web/serving.py
    runs it."""

    async def _make_runner(self, **kwargs: Any) -> web.BaseRunner:
        return await super()._make_runner(**{**kwargs, "handler_cancellation": False})


def open_websockets() -> int:
    gc.collect()  # one whose upgrade failed is garbage in a cycle (its exception's traceback), not open
    return sum(1 for o in gc.get_objects() if isinstance(o, web.WebSocketResponse) and not o.closed)


async def all_closed() -> None:
    async with asyncio.timeout(WAIT):
        while open_websockets():  # noqa: ASYNC110 - the server's objects are polled
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("vanishing", ["connection closed", "connection reset"])
async def test_a_vanished_subscriber_leaves_no_open_websocket(own_database: str, vanishing: str) -> None:
    # given: subscribers watching a carrier's keys
    conn, carrier = await new_carrier(own_database)
    # A ping far off: what closes them is their handler's end, not a ping that fails.
    configured = make_settings(
        database_url=own_database, rate_limit_per_person=100_000, ws_keepalive_seconds=3600.0
    )
    async with TestClient(ServedAsInProduction(init_app(configured))) as client:
        feed = client.app[CHANGE_FEED]
        assert feed is not None
        async with asyncio.timeout(WAIT):
            await feed.until_listening()
        session = aiohttp.ClientSession()
        subscribers = [
            await subscribed(session, client, KEY_CHANGES, {"c": to_global_id("Carrier", carrier)})
            for _ in range(SUBSCRIBERS)
        ]
        await watching(client, SUBSCRIBERS)
        assert open_websockets() == SUBSCRIBERS

        # when: they vanish without a close frame
        if vanishing == "connection reset":
            for ws in subscribers:
                # Closed with a zero linger, the connection ends with a reset rather than a FIN.
                ws.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        await session.close()

        # then: the server's side of each is closed (its heartbeat with it), while the server runs on
        await all_closed()
    await conn.close()


UPGRADE = (
    b"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
)


# A client that vanishes: how much of the upgrade request it sent, and whether it reset the connection.
VANISHING = st.lists(
    st.tuples(st.integers(min_value=0, max_value=len(UPGRADE)), st.booleans()), min_size=1, max_size=30
)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(clients=VANISHING)
async def test_a_client_that_vanishes_during_the_upgrade_is_no_error(
    own_database: str, caplog: pytest.LogCaptureFixture, clients: list[tuple[int, bool]]
) -> None:
    caplog.clear()
    # given: the app served as in production
    configured = make_settings(database_url=own_database)
    async with TestClient(ServedAsInProduction(init_app(configured))) as client:
        assert client.port is not None
        # when: clients ask for a WebSocket and hang up before the answer, some midway through asking
        for sent, reset in clients:
            reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
            writer.write(UPGRADE[:sent])
            if reset:
                writer.get_extra_info("socket").setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            writer.close()
            await writer.wait_closed()
            await reader.read()
        # then: nothing is logged as the server's error, nothing is left open, and it answers on
        await all_closed()
        response = await client.get("/healthz")
        assert response.status == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
