"""What the WebSocket tests share: the real app on a database of its own, hearing the change feed, with a
clock the test may move; and a raw graphql-transport-ws client (aiohttp's `ws_connect`, not gql), so that
any frame can be sent and every message, and the close frame, seen as it arrives.

Nothing here waits on time: a test waits for a message, a close frame, or a subscription's watch to be
registered (app[LIVE].watches) before it causes an event; waits are bounded by a generous WAIT only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import orjson
from aiohttp.test_utils import TestClient, TestServer

from server import init_app
from services.live_changes import Watch
from tests.conftest import make_settings
from tests.factories import bearer
from web.app_keys import CHANGE_FEED, LIVE
from web.view import utc_now

PROTOCOL = "graphql-transport-ws"
# The bound on every wait: generous, so that only a server that never answers fails it.
WAIT = 20.0


@dataclass
class Clock:
    """The app's clock: the real time, moved by `offset` (expiry is judged by it)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset


@dataclass
class Live:
    """A running app, its HTTP client and its clock."""

    client: TestClient[Any, Any]
    clock: Clock = field(default_factory=Clock)

    @property
    def ws_url(self) -> str:
        return str(self.client.make_url("/graphql")).replace("http", "ws", 1)

    async def post(self, query: str, credential: str | None, **variables: Any) -> tuple[int, Any]:
        """A GraphQL request over HTTP: its status and decoded body."""
        headers = bearer(credential) if credential else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return response.status, await response.json()

    def watches(self) -> set[Watch]:
        return set(self.client.app[LIVE].watches)

    async def until_watched(self, before: set[Watch], count: int) -> None:
        """Until `count` watches that were not in `before` are registered: the subscriptions that
        opened them will hear the next change."""
        async with asyncio.timeout(WAIT):
            while len(self.watches() - before) < count:  # noqa: ASYNC110 - the app's watches are polled
                await asyncio.sleep(0.01)

    async def until_left(self, watches: set[Watch], count: int) -> None:
        """Until only `count` of `watches` are still registered: the others' subscriptions have ended
        and will send nothing more."""
        async with asyncio.timeout(WAIT):
            while len(self.watches() & watches) > count:  # noqa: ASYNC110 - the app's watches are polled
                await asyncio.sleep(0.01)


@asynccontextmanager
async def live_app(database_url: str, **settings: Any) -> AsyncIterator[Live]:
    """The app on `database_url`, listening to its change feed, with a clock of its own."""
    clock = Clock()
    app = init_app(make_settings(database_url=database_url, **settings), now=clock)
    async with TestClient(TestServer(app)) as client:
        feed = app[CHANGE_FEED]
        assert feed is not None
        async with asyncio.timeout(WAIT):
            await feed.until_listening()
        yield Live(client, clock)


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection's end, as the client saw it: the close code and reason."""

    code: int | None
    reason: str


class Socket:
    """One graphql-transport-ws connection, read message by message."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def send(self, message: object) -> None:
        await self.ws.send_str(orjson.dumps(message).decode())

    async def receive(self) -> dict[str, Any] | Closed:
        """The next message, or how the connection ended; anything else (bytes, a frame the client
        cannot read as WebSocket, such as HTTP written into the socket) fails the test."""
        frame = await self.ws.receive(timeout=WAIT)
        if frame.type == aiohttp.WSMsgType.TEXT:
            message: dict[str, Any] = orjson.loads(frame.data)
            return message
        if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
            return Closed(self.ws.close_code, str(frame.extra or ""))
        raise AssertionError(f"not a graphql-transport-ws message: {frame.type.name} {frame.data!r:.200}")

    async def message(self) -> dict[str, Any]:
        """The next message, which must not be the connection's end."""
        received = await self.receive()
        assert not isinstance(received, Closed), received
        return received

    async def closed(self) -> Closed:
        """How the connection ends (every message before the close frame fails the test)."""
        received = await self.receive()
        assert isinstance(received, Closed), received
        return received

    async def init(self, credential: str) -> None:
        """connection_init with the credential, acknowledged."""
        await self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {credential}"}})
        assert await self.message() == {"type": "connection_ack"}

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})


@asynccontextmanager
async def socket(live: Live, *, request_id: str | None = None) -> AsyncIterator[Socket]:
    """A raw connection to the app's /graphql, closed at the end."""
    headers = {"X-Request-Id": request_id} if request_id else {}
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(live.ws_url, protocols=[PROTOCOL], headers=headers) as ws,
    ):
        yield Socket(ws)
