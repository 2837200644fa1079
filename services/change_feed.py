"""The change feed: what every instance hears when any instance changes something (migration 0004).

Each instance holds one connection of its own (not the pool's) that LISTENs on the channel. Whoever
depends on the feed registers two callbacks: one per change, and one for when the feed is interrupted
(the connection lost, or not yet listening): from then on nothing is heard, so a cache must forget
what it holds and hold nothing until the feed listens again (correct, just slower).

A connection can also go silent without closing (its backend stopped, a network path that drops
packets). So the instance sends itself a heartbeat notification through the feed every
HEARTBEAT_SECONDS and waits to hear it. PostgreSQL delivers notifications in commit order: having heard
the heartbeat sent at T, the instance has heard every change committed before T. The feed counts as
`listening` only while the last heartbeat heard was sent less than FRESH_SECONDS ago; so whatever trusts
it (the key cache) stops trusting it within FRESH_SECONDS of the feed going silent, and a change
committed anywhere is acted on everywhere within FRESH_SECONDS. A heartbeat unheard for LOST_SECONDS
means the connection is lost: it is dropped and reopened (with backoff), as a closed one is.
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
# Heartbeats: how often one is sent; how recent the last one heard must be for the feed to be trusted
# (the promise: a change reaches every instance within this); when an unheard one means the connection
# is lost. Closing a lost connection is given CLOSE_TIMEOUT before it is dropped (seconds).
HEARTBEAT_SECONDS = 0.2
FRESH_SECONDS = 1.0
LOST_SECONDS = 3.0
CLOSE_TIMEOUT = 1.0
HEARTBEAT = "heartbeat"

log = logging.getLogger("carrier_admin.change_feed")


@dataclass(frozen=True, slots=True)
class Change:
    """One change, by ids: `kind` is the payload's `t` (api_key, carrier_enablement,
    organization_enablement, feature, carrier, organization, key_policy, activity)."""

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
    # When the last heartbeat heard back was sent (time.monotonic()), or None.
    confirmed_at: float | None = None


class ChangeFeed:
    def __init__(self, connect: Connect, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.connect = connect
        self.clock = clock
        self.stats = FeedStats()
        self.listeners: list[Callable[[Change], None]] = []
        self.interruption_listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._listening = asyncio.Event()
        # This instance's heartbeats: its name on the channel, the last one sent, when each was sent.
        self._instance = uuid.uuid4().hex
        self._beat = 0
        self._sent: dict[int, float] = {}
        self._heard = asyncio.Event()

    @property
    def listening(self) -> bool:
        """Whether the feed listens and has been heard from recently enough to be trusted."""
        confirmed = self.stats.confirmed_at
        return (
            self.stats.listening_since is not None
            and confirmed is not None
            and self.clock() - confirmed < FRESH_SECONDS
        )

    @property
    def backend_pid(self) -> int | None:
        """The listening connection's PostgreSQL process (for operators and tests)."""
        connection = self._connection
        return connection.get_server_pid() if connection is not None else None

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
        await self._heartbeat(connection)
        self.stats.listening_since = time.time()
        self._listening.set()
        log.info("change feed: listening on %s", CHANNEL)
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await self._lost.wait()
            if not self._lost.is_set():
                await self._heartbeat(connection)
        log.warning("change feed: the listening connection was lost")

    async def _heartbeat(self, connection: asyncpg.Connection) -> None:
        """Send a heartbeat through the feed and wait to hear it (TimeoutError: the feed is silent)."""
        self._beat += 1
        beat = self._beat
        self._sent = {beat: self.clock()}
        self._heard.clear()
        payload = orjson.dumps({"t": HEARTBEAT, "id": self._instance, "n": beat}).decode()
        try:
            async with asyncio.timeout(LOST_SECONDS):
                await connection.execute("select pg_notify($1, $2)", CHANNEL, payload)
                await self._heard.wait()
        except TimeoutError:
            raise TimeoutError(f"no heartbeat heard back within {LOST_SECONDS:g} s") from None

    def _interrupted(self) -> None:
        self.stats.listening_since = None
        self.stats.confirmed_at = None
        self._listening.clear()
        for listener in self.interruption_listeners:
            listener()

    async def _close(self) -> None:
        """Close the listening connection; one that does not answer (a silent feed) is dropped."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await connection.close()
            except Exception:
                connection.terminate()

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: object) -> None:
        text = str(payload)
        if HEARTBEAT in text and self._heard_beat(text):
            return
        change = Change.parse(text)
        if change is None:
            log.warning("change feed: a notification this version does not read: %.200s", payload)
            return
        self.stats.notifications += 1
        for listener in list(self.listeners):
            try:
                listener(change)
            except Exception:
                log.exception("change feed: a listener failed on %s", change.kind)

    def _heard_beat(self, payload: str) -> bool:
        """Whether the payload is a heartbeat. This instance's own confirms that everything committed
        before it was sent has been heard; other instances' are theirs."""
        try:
            beat = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(beat, dict) or beat.get("t") != HEARTBEAT:
            return False
        sent_at = self._sent.get(beat.get("n", -1)) if beat.get("id") == self._instance else None
        if sent_at is not None:
            self.stats.confirmed_at = sent_at
            self._heard.set()
        return True
