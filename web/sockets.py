"""The WebSocket connections open on this instance, and how one is written to and closed.

- Per caller: at most WS_MAX_CONNECTIONS_PER_CALLER open at once (the caller is known once its
  connection_init is accepted).
- Writing: a connection whose client does not read fills its send buffer; past WS_MAX_SEND_BUFFER_BYTES
  queued, or a write not taken within WS_SEND_STALL_SECONDS, the connection is closed (1013, "try again
  later") and dropped, so that what was queued for it is freed. A well-behaved client reconnects.
- Closing never waits on the client for long: the close frame is sent, the client has WS_CLOSE_GRACE
  seconds to answer it, then the connection is dropped.
- At shutdown every connection is closed at once with 1001 ("going away"): clients reconnect to another
  instance.
- Reading: all subscriptions together hold at most WS_DB_CONNECTIONS of the pool's connections at once
  (`reads`); an event waits its turn rather than take the pool from GraphQL or time out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from web.streams import reset

# How long a closing connection waits for the client's close frame (seconds).
CLOSE_GRACE_SECONDS = 1.0
GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013


class TooSlow(Exception):
    """The client does not take what is sent to it: its connection is being closed."""


@dataclass
class Sockets:
    """Open connections: a close function for each, and how many each caller has."""

    reads: asyncio.Semaphore
    closers: set[Callable[[int, str], Awaitable[None]]] = field(default_factory=set)
    by_caller: Counter[str] = field(default_factory=Counter)
    closing: bool = False

    def count(self, caller: str) -> int:
        return self.by_caller[caller]

    def add_caller(self, caller: str) -> None:
        self.by_caller[caller] += 1

    def remove_caller(self, caller: str) -> None:
        self.by_caller[caller] -= 1
        if self.by_caller[caller] <= 0:
            del self.by_caller[caller]

    async def close_all(self) -> None:
        """Shutdown: close every connection with 1001, all at once."""
        self.closing = True
        closers = list(self.closers)
        await asyncio.gather(
            *(close(GOING_AWAY, "The server is restarting: reconnect.") for close in closers),
            return_exceptions=True,
        )


async def send_text(
    ws: web.WebSocketResponse,
    request: web.Request,
    text: str,
    *,
    max_buffered: int,
    stall_seconds: float,
) -> None:
    """Send a text frame, unless the client is too far behind (TooSlow): more than `max_buffered`
    bytes still queued for it, or this frame not taken within `stall_seconds`."""
    transport = request.transport
    if transport is not None and transport.get_write_buffer_size() > max_buffered:
        raise TooSlow(f"more than {max_buffered} bytes were waiting for the client")
    try:
        async with asyncio.timeout(stall_seconds):
            await ws.send_str(text)
    except TimeoutError:
        raise TooSlow(f"the client took nothing for {stall_seconds:g} s") from None


# A close frame carries at most 125 bytes: 2 for the code, the rest for the reason.
MAX_REASON_BYTES = 123


def close_reason(reason: str) -> bytes:
    """The reason as a close frame may carry it: at most MAX_REASON_BYTES of UTF-8, never half a
    character (a reason may repeat what the client sent, in any script)."""
    return reason.encode()[:MAX_REASON_BYTES].decode("utf-8", "ignore").encode()


async def close_now(ws: web.WebSocketResponse, request: web.Request, code: int, reason: str) -> None:
    """Send the close frame and give the client a moment to answer; then drop the connection, whatever
    happened meanwhile (the close may be cancelled with the connection's tasks: a client that reads
    nothing never answers it, and aiohttp's own close would wait on the full buffer for good)."""
    try:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_GRACE_SECONDS):
                await ws.close(code=code, message=close_reason(reason), drain=False)
    finally:
        reset(request.transport)
