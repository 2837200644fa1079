"""Rate limits: fixed one-minute windows per bucket (an API key, a person, a client address).

With REDIS_URL the counters live in Redis, so every server instance counts against the same limit;
without it they live in this process (fine for one instance; the README says so).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window resets


class Counter(Protocol):
    async def increment(self, key: str, window: int) -> int: ...
    async def current(self, key: str) -> int: ...
    async def close(self) -> None: ...


class InProcessCounter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def increment(self, key: str, window: int) -> int:
        # Only the current window's keys matter: drop older ones as they come up, so memory stays small.
        if len(self.counts) > 100_000:
            self.counts = {k: v for k, v in self.counts.items() if k.endswith(f":{window}")}
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    async def current(self, key: str) -> int:
        return self.counts.get(key, 0)

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

    async def current(self, key: str) -> int:
        value = await self.redis.get(key)
        return int(value or 0)

    async def close(self) -> None:
        await self.redis.aclose()


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

    async def exceeded(self, bucket: str, limit: int) -> Decision:
        """Whether `bucket` is already over `limit` in this window, without counting."""
        window, retry_after = self._window()
        count = await self.counter.current(f"{self.prefix}:{bucket}:{window}")
        return Decision(count < limit, retry_after)

    async def close(self) -> None:
        await self.counter.close()


def rate_limiter(redis_url: str | None) -> RateLimiter:
    return RateLimiter(RedisCounter(redis_url) if redis_url else InProcessCounter())
