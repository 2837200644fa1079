"""The change feed: what every instance hears when any instance changes something (migration 0004).

Each instance holds one connection of its own (not the pool's) that LISTENs on the channel. Whoever
depends on the feed registers two callbacks: one per change, and one for when the feed is interrupted
(the connection lost, or not yet listening): from then on nothing is heard, so a cache must forget
what it holds and hold nothing until the feed listens again (correct, just slower). The connection is
checked every few seconds (a lost TCP peer does not always say so) and reopened with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

CHANNEL = "carrier_admin_changes"
# Reconnecting waits this long at first, doubling to the most (seconds).
BACKOFF_FIRST = 0.1
BACKOFF_MOST = 5.0
# How often the listening connection is checked, and how long the check may take (seconds).
CHECK_EVERY = 5.0
CHECK_TIMEOUT = 3.0

log = logging.getLogger("carrier_admin.change_feed")


@dataclass(frozen=True, slots=True)
class Change:
    """One change, by ids: `kind` is the payload's `t` (api_key, carrier_enablement,
    organization_enablement, feature, carrier, organization, activity)."""

    kind: str
    id: uuid.UUID | None = None
    carrier_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    previous_organization_id: uuid.UUID | None = None
    feature_id: uuid.UUID | None = None
    # For a key: created, updated, revoked, expiring, expired.
    action: str | None = None

    @classmethod
    def parse(cls, payload: str) -> Change | None:
        """The change a notification's payload describes; None for one this version does not know."""
        try:
            fields = orjson.loads(payload)
            return cls(
                kind=str(fields["t"]),
                id=_uuid(fields.get("id")),
                carrier_id=_uuid(fields.get("carrier")),
                organization_id=_uuid(fields.get("organization")),
                previous_organization_id=_uuid(fields.get("previous_organization")),
                feature_id=_uuid(fields.get("feature")),
                action=fields.get("action"),
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value is not None else None


Connect = Callable[[], Awaitable[asyncpg.Connection]]


@dataclass
class FeedStats:
    notifications: int = 0
    reconnects: int = 0
    # When the feed last started listening (time.time()), or None while it is not.
    listening_since: float | None = None


class ChangeFeed:
    def __init__(self, connect: Connect) -> None:
        self.connect = connect
        self.stats = FeedStats()
        self.listeners: list[Callable[[Change], None]] = []
        self.interruption_listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        return self.stats.listening_since is not None

    def on_change(self, listener: Callable[[Change], None]) -> None:
        self.listeners.append(listener)

    def on_interruption(self, listener: Callable[[], None]) -> None:
        self.interruption_listeners.append(listener)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="change feed")

    async def until_listening(self) -> None:
        """Return once the feed listens (callers bound the wait with asyncio.timeout)."""
        await self._listening.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    async def _run(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            try:
                await self._listen()
                delay = BACKOFF_FIRST  # it listened, then lost the connection: try again soon
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning(
                    "change feed: not listening (%s); retrying in %.1f s", type(error).__name__, delay
                )
            finally:
                self._interrupted()
            await self._close()
            self.stats.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MOST)

    async def _listen(self) -> None:
        self._lost.clear()
        connection = self._connection = await self.connect()
        connection.add_termination_listener(lambda _connection: self._lost.set())
        await connection.add_listener(CHANNEL, self._notified)
        self.stats.listening_since = time.time()
        self._listening.set()
        log.info("change feed: listening on %s", CHANNEL)
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CHECK_EVERY):
                    await self._lost.wait()
            if not self._lost.is_set():
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await connection.fetchval("select 1")
        log.warning("change feed: the listening connection was lost")

    def _interrupted(self) -> None:
        self.stats.listening_since = None
        self._listening.clear()
        for listener in self.interruption_listeners:
            listener()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await connection.close()

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: object) -> None:
        change = Change.parse(str(payload))
        if change is None:
            log.warning("change feed: a notification this version does not read: %.200s", payload)
            return
        self.stats.notifications += 1
        for listener in self.listeners:
            try:
                listener(change)
            except Exception:
                log.exception("change feed: a listener failed on %s", change.kind)
