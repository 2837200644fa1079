"""Rate limits: fixed one-minute windows per bucket (an API key, a person, a client address).

With REDIS_URL the counters live in Redis, so every server instance counts against the same limit;
without it they live in this process (fine for one instance; the README says so). When Redis stops
answering, every limit keeps holding, counted in this process instead: the change is logged once,
shown in /metrics and /readyz, and Redis is tried again every few seconds until it answers.

Each instance also counts every request in its own process, Redis or not, and a request is let through
only while both counts are within the limit. Redis keeps nothing on disk: after it restarts (or while
it is away) its counts begin again, but no instance can let a caller through more than the limit in a
window by its own count. So with N instances a caller is held to the limit while Redis answers, and to
at most N times the limit in a window whatever happens to Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WINDOW_SECONDS = 60
# While Redis is unreachable, one request in this many seconds tries it again.
REDIS_RETRY_SECONDS = 5.0

log = logging.getLogger("carrier_admin.rate_limit")


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window resets


class Counter(Protocol):
    async def increment(self, key: str, window: int) -> int: ...
    async def close(self) -> None: ...


class InProcessCounter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def increment(self, key: str, window: int) -> int:
        return self.count(key, window)

    def count(self, key: str, window: int) -> int:
        """One more for `key`; its count in this window."""
        # Only the current window's keys matter: drop older ones as they come up, so memory stays small.
        if len(self.counts) > 100_000:
            self.counts = {k: v for k, v in self.counts.items() if k.endswith(f":{window}")}
        count = self.counts[key] = self.counts.get(key, 0) + 1
        return count

    async def close(self) -> None:
        return None


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def increment(self, key: str, window: int) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self.redis.aclose()


class FailoverCounter:
    """Redis's counters, or this process's while Redis does not answer."""

    def __init__(
        self,
        primary: Counter,
        fallback: Counter,
        *,
        retry_seconds: float = REDIS_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.down_since: float | None = None
        self.last_try = 0.0

    @property
    def shared(self) -> bool:
        """Whether counts are shared through Redis right now."""
        return self.down_since is None

    async def increment(self, key: str, window: int) -> int:
        """The larger of the shared count and this process's own (see the module's docstring)."""
        own = await self.fallback.increment(key, window)
        if self._try_primary():
            try:
                count = await self.primary.increment(key, window)
            except Exception:
                self._failed()
            else:
                self._answered()
                return max(count, own)
        return own

    def _try_primary(self) -> bool:
        if self.down_since is None:
            return True
        now = self.clock()
        if now - self.last_try < self.retry_seconds:
            return False
        self.last_try = now  # one request tries; the others meanwhile count here
        return True

    def _failed(self) -> None:
        if self.down_since is None:
            log.warning("Redis does not answer: rate limits are counted per process until it does")
            self.down_since = self.last_try = self.clock()

    def _answered(self) -> None:
        if self.down_since is not None:
            log.warning("Redis answers again: rate limits are shared across instances again")
            self.down_since = None

    async def close(self) -> None:
        await self.primary.close()
        await self.fallback.close()


class RateLimiter:
    def __init__(
        self, counter: Counter, clock: Callable[[], float] = time.time, prefix: str = "ca:rl"
    ) -> None:
        self.counter = counter
        self.clock = clock
        self.prefix = prefix

    def _window(self) -> tuple[int, int]:
        now = self.clock()
        window = int(now // WINDOW_SECONDS)
        return window, max(1, int((window + 1) * WINDOW_SECONDS - now))

    async def hit(self, bucket: str, limit: int) -> Decision:
        """Count one request against `bucket`; refused once the window's count exceeds `limit`."""
        window, retry_after = self._window()
        count = await self.counter.increment(f"{self.prefix}:{bucket}:{window}", window)
        return Decision(count <= limit, retry_after)

    def hit_now(self, bucket: str, limit: int) -> Decision | None:
        """As `hit`, when counts live only in this process (no Redis configured): counted at once, with
        no coroutine to await (four of them were a per cent of a small request). None: await `hit`."""
        counter = self.counter
        if not isinstance(counter, InProcessCounter):
            return None
        window, retry_after = self._window()
        return Decision(counter.count(f"{self.prefix}:{bucket}:{window}", window) <= limit, retry_after)

    async def close(self) -> None:
        await self.counter.close()

    @property
    def backend(self) -> str:
        """Where counts live now: "redis", "process" (no Redis configured) or "process, Redis unreachable"."""
        counter = self.counter
        if isinstance(counter, FailoverCounter):
            return "redis" if counter.shared else "process, Redis unreachable"
        return "process"


def rate_limiter(redis_url: str | None, *, retry_seconds: float = REDIS_RETRY_SECONDS) -> RateLimiter:
    if not redis_url:
        return RateLimiter(InProcessCounter())
    return RateLimiter(
        FailoverCounter(RedisCounter(redis_url), InProcessCounter(), retry_seconds=retry_seconds)
    )
