"""Long-lived HTTP responses (the CSV exports): how many may run, and how each one ends.

A stream holds a pooled connection in a transaction for as long as it runs, so it must never be able
to take the pool from GraphQL, nor outlive its client or the server:
- at most EXPORT_MAX_CONCURRENT run at once on an instance, and EXPORT_MAX_PER_CALLER per caller; one
  more is refused at once (503 or 429, with Retry-After), never queued;
- each write must be taken by the client within EXPORT_STALL_SECONDS, and the whole stream must end
  within EXPORT_TIMEOUT_SECONDS; past either, or when the client goes away, the connection to the
  client is dropped and the stream's database connection goes back to the pool, out of its transaction;
- at shutdown every running stream is ended at once (the server does not wait for a slow download).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections import Counter
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger("carrier_admin.streams")

# How long a refused stream's caller is asked to wait before trying again (seconds).
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True, slots=True)
class StreamRefused:
    status: int  # 429: this caller's streams; 503: the instance's
    message: str
    code: str
    retry_after: int = RETRY_AFTER_SECONDS


class StreamEnded(Exception):
    """A stream was cut short: its client stalled, it ran out of time, or the server is stopping."""


class Streams:
    """The streams running on this instance, by caller; admission and shutdown."""

    def __init__(self, *, most: int, per_caller: int) -> None:
        self.most = most
        self.per_caller = per_caller
        self.by_caller: Counter[str] = Counter()
        self.tasks: set[asyncio.Task[object]] = set()
        self.closing = False

    @property
    def running(self) -> int:
        return sum(self.by_caller.values())

    def refusal(self, caller: str) -> StreamRefused | None:
        """Why one more stream for `caller` may not start now, or None."""
        if self.closing:
            return StreamRefused(503, "The server is restarting; try again shortly.", "SERVICE_UNAVAILABLE")
        if self.by_caller[caller] >= self.per_caller:
            return StreamRefused(
                429,
                f"At most {self.per_caller} export(s) at once per caller (EXPORT_MAX_PER_CALLER); "
                "wait for the running one to finish.",
                "RATE_LIMITED",
            )
        if self.running >= self.most:
            return StreamRefused(
                503,
                f"This server runs at most {self.most} exports at once (EXPORT_MAX_CONCURRENT); "
                "try again shortly.",
                "SERVICE_UNAVAILABLE",
            )
        return None

    @contextlib.contextmanager
    def running_for(self, caller: str) -> Iterator[None]:
        """Count the current task as one of `caller`'s streams while the block runs (admitted first)."""
        task = asyncio.current_task()
        assert task is not None
        self.by_caller[caller] += 1
        self.tasks.add(task)
        try:
            yield
        finally:
            self.tasks.discard(task)
            self.by_caller[caller] -= 1
            if self.by_caller[caller] <= 0:
                del self.by_caller[caller]

    async def end_all(self, grace_seconds: float) -> None:
        """Refuse new streams and cancel the running ones; wait (bounded) for them to let go."""
        self.closing = True
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace_seconds)


async def write_within(response: web.StreamResponse, data: bytes, stall_seconds: float) -> None:
    """Write, or raise StreamEnded when the client has not taken it within `stall_seconds` (a client
    that stops reading fills the socket's buffers, and the write waits for it forever otherwise)."""
    await within(response.write(data), stall_seconds)


async def within(write: Awaitable[None], stall_seconds: float) -> None:
    """A write to the client, or StreamEnded when the client has not taken it within `stall_seconds`."""
    try:
        async with asyncio.timeout(stall_seconds):
            await write
    except TimeoutError:
        raise StreamEnded(f"the client took no data for {stall_seconds:g} s") from None


def drop_connection(request: web.Request) -> None:
    """Close the client's connection at once: a stream cut short must not look like a whole file."""
    reset(request.transport)


def reset(transport: asyncio.Transport | None) -> None:
    """Drop a connection with a reset: what is still queued for the client, in this process and in the
    kernel's send buffer (megabytes, for a client that stopped reading), is discarded, not sent on."""
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
