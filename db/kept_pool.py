"""asyncpg's pool, keeping the connections given back cleanly for the next borrower.

asyncpg's release of a connection runs in a task of its own (shielded from cancellation), under a
timeout, through its reset and ours, and arms an inactivity timer that the next acquire cancels: about
40 µs of CPU per borrowing on this project's machine, a tenth of the small query's. A connection whose
statement ended without an error and outside a transaction needs none of it: there is nothing to roll
back, no cancellation in flight and no session state (db/pool.keep_session). This pool keeps such a
connection on a stack of its own, still borrowed as far as asyncpg knows, and hands it to the next
borrower at the cost of a list pop.

What stays asyncpg's, and why nothing waits on what is kept:
- Anything unusual is asyncpg's release: a statement that failed or was cancelled, an open
  transaction, a closed connection (found at give-back or when taken from the stack), the pool closing.
- A borrower takes from the stack first, so a kept connection never sits idle while someone waits;
  and while anyone waits in asyncpg's acquire, connections go back through asyncpg, which hands them
  to the waiters in order.
- A connection kept longer than `keep_idle_seconds` unused goes back to asyncpg at the next
  give-back, whose inactivity timer closes it as before (max_inactive_connection_lifetime): quiet
  hours shrink the pool as asyncpg's would. (With no give-back at all, what is kept stays kept:
  at most the pool's size, as asyncpg's own idle connections would be until their timer.)
- `close()` gives every kept connection back before asyncpg's close (which waits for them);
  `terminate()` forgets them (asyncpg terminates every connection it has); `get_idle_size()` counts
  them as idle, which they are.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import asyncpg
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy

log = logging.getLogger("carrier_admin.db")

# Kept connections unused this long go back to asyncpg, whose inactivity timer then closes them.
KEEP_IDLE_SECONDS = 60.0

if TYPE_CHECKING:
    _Pool = asyncpg.Pool[asyncpg.Record]
    _Acquiring = PoolAcquireContext[asyncpg.Record]
    Proxy = PoolConnectionProxy[asyncpg.Record]
else:
    _Pool = asyncpg.Pool
    _Acquiring = PoolAcquireContext
    Proxy = PoolConnectionProxy


class KeptPool(_Pool):
    def __init__(self, *args: Any, keep_idle_seconds: float = KEEP_IDLE_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_idle_seconds = keep_idle_seconds
        # (connection, when it was kept): the most recently kept on the right, taken first.
        self.kept: deque[tuple[Proxy, float]] = deque()
        # Borrowers inside asyncpg's acquire: while there are any, connections go back through asyncpg.
        self.waiting = 0
        self.closing = False
        # Releases through asyncpg started by a give-back that does not wait for them.
        self.returning: set[asyncio.Task[None]] = set()

    def take(self) -> Proxy | None:
        """A kept connection, at once; None when there is none (then acquire, and maybe wait)."""
        kept = self.kept
        while kept and not self.closing:
            conn, _ = kept.pop()
            if _usable(conn):
                return conn
            self._return_soon(conn)  # asyncpg's release frees the holder of a closed connection
        return None

    def keep(self, conn: Proxy) -> bool:
        """Keep `conn`, whose last statement ended without an error, for the next borrower; False when
        it must go back through asyncpg's release instead."""
        if self.closing or self.waiting or not _usable(conn) or conn.is_in_transaction():
            return False
        now = time.monotonic()
        kept = self.kept
        while kept and kept[0][1] <= now - self.keep_idle_seconds:
            self._return_soon(kept.popleft()[0])
        kept.append((conn, now))
        return True

    def acquire(self, *, timeout: float | None = None) -> _Acquiring:
        """As asyncpg's, taking a kept connection first and counted as waiting while it waits."""
        return _Acquire(self, super().acquire(timeout=timeout))  # type: ignore[return-value]

    def get_idle_size(self) -> int:
        return super().get_idle_size() + len(self.kept)

    def has_idle(self) -> bool:
        """Whether a connection waits to be borrowed: what `get_idle_size` says, without visiting asyncpg's
        connections while one is kept."""
        return bool(self.kept) or bool(super().get_idle_size())

    async def close(self) -> None:
        self.closing = True
        returns = [self.release(conn) for conn, _ in self.kept]
        self.kept.clear()
        await asyncio.gather(*returns, *self.returning, return_exceptions=True)
        await super().close()

    def terminate(self) -> None:
        self.closing = True
        self.kept.clear()
        super().terminate()

    def _return_soon(self, conn: Proxy) -> None:
        task = asyncio.get_running_loop().create_task(self._return(conn))
        self.returning.add(task)
        task.add_done_callback(self.returning.discard)

    async def _return(self, conn: Proxy) -> None:
        try:
            await self.release(conn)
        except Exception:  # asyncpg terminates a connection whose release failed; nothing to add
            log.debug("a kept connection's release failed", exc_info=True)


def _usable(conn: Proxy) -> bool:
    """Whether `conn` is still open and still lent: when its server ends it, asyncpg takes it back
    at once (the proxy then refuses every call, and asyncpg's release of it does nothing)."""
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:
        return False


class _Acquire:
    """asyncpg's acquire context (`async with pool.acquire()` or `await pool.acquire()`), served from
    what the pool keeps when it can."""

    __slots__ = ("inner", "pool", "taken")

    def __init__(self, pool: KeptPool, inner: _Acquiring) -> None:
        self.pool = pool
        self.inner = inner
        self.taken: Proxy | None = None

    async def __aenter__(self) -> Proxy:
        self.taken = self.pool.take()
        if self.taken is not None:
            return self.taken
        return await self._waited(self.inner.__aenter__())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        taken, self.taken = self.taken, None
        if taken is not None:
            await self.pool.release(taken)
        else:
            await self.inner.__aexit__(exc_type, exc, tb)

    def __await__(self) -> Generator[Any, None, Proxy]:
        return self._acquired().__await__()

    async def _acquired(self) -> Proxy:
        taken = self.pool.take()
        if taken is not None:
            return taken
        return await self._waited(self.inner)

    async def _waited(self, acquiring: Awaitable[Proxy]) -> Proxy:
        """asyncpg's acquire, counted as waiting while it waits (nothing is kept meanwhile)."""
        self.pool.waiting += 1
        try:
            return await acquiring
        finally:
            self.pool.waiting -= 1
