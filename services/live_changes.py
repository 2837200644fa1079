"""Live changes for subscriptions: each watcher gets the change feed's changes its filter admits.

A watcher's queue is bounded: one that falls behind by MAX_QUEUED changes is ended (its client reads
too slowly to be told everything), and every watcher is ended when the feed is interrupted (changes
may have been missed: the client subscribes again and reads the current state).

A client that reads what it watches and subscribes to its changes cannot know, from the protocol alone,
when its subscription starts receiving them: a change made between its read and that moment would be
missed. It may ask to be told (web/subscriptions.py sets ANNOUNCE_WATCHING for the subscription's task):
the announcement is made once the watch receives every change after it, so a read made after the
announcement misses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar

from services.change_feed import Change, ChangeFeed

MAX_QUEUED = 1000

# What tells the subscriber its watch has begun (once), when it asked; None when it did not.
ANNOUNCE_WATCHING: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "ANNOUNCE_WATCHING", default=None
)


class LiveChangesEnded(Exception):
    """The watch cannot go on; the message says why, for the subscriber."""


class Watch:
    def __init__(self, wanted: Callable[[Change], bool]) -> None:
        self.wanted = wanted
        self.queue: asyncio.Queue[Change | LiveChangesEnded] = asyncio.Queue()
        self.ended = False

    def offer(self, change: Change) -> None:
        if self.ended or not self.wanted(change):
            return
        if self.queue.qsize() >= MAX_QUEUED:
            self.end("This subscription fell too far behind the changes; subscribe again.")
            return
        self.queue.put_nowait(change)

    def end(self, reason: str) -> None:
        if not self.ended:
            self.ended = True
            self.queue.put_nowait(LiveChangesEnded(reason))

    async def next(self) -> Change:
        item = await self.queue.get()
        if isinstance(item, LiveChangesEnded):
            raise item
        return item


class LiveChanges:
    def __init__(self, feed: ChangeFeed | None) -> None:
        self.feed = feed
        self.watches: set[Watch] = set()
        if feed is not None:
            feed.on_change(self._deliver)
            feed.on_interruption(self._interrupted)

    @contextlib.asynccontextmanager
    async def watching(self, wanted: Callable[[Change], bool]) -> AsyncIterator[Watch]:
        """A watch of the changes `wanted` admits, for as long as the block runs."""
        if self.feed is None or not self.feed.listening:
            raise LiveChangesEnded("Live changes are not available right now; try again shortly.")
        watch = Watch(wanted)
        self.watches.add(watch)
        try:
            announce = ANNOUNCE_WATCHING.get()
            if announce is not None:
                await announce()
            yield watch
        finally:
            self.watches.discard(watch)

    def _deliver(self, change: Change) -> None:
        for watch in list(self.watches):
            watch.offer(change)

    def _interrupted(self) -> None:
        for watch in list(self.watches):
            watch.end("The live feed was interrupted, so changes may have been missed; subscribe again.")
