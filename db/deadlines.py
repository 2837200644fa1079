"""Time limits for work in flight (a request, a wait for a pooled connection), kept by one timer for all
rather than one each.

`asyncio.timeout` schedules a timer, and reschedules and cancels it, for each use: about 5 µs, a few
per cent of the small query's whole cost. Here a limited piece of work only notes its task and deadline
on entry and removes them on exit; one timer, set for the earliest deadline noted, cancels every task
past its deadline when it fires, and is set again for the next. Work normally ends long before its
deadline, so the timer fires about once per time limit and finds little to do.

What the work sees is what `asyncio.timeout` gives: past its deadline its task is cancelled where it
waits, and the `async with` turns that cancellation into TimeoutError; a cancellation from anyone else
stays a CancelledError. The timer fires at the deadline, as asyncio's does (the loop's timers are not
exact either). Nothing outlives the work: the timer is not set again once none is in flight, and
`close()` cancels it.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Deadlines:
    def __init__(self) -> None:
        # Each request in flight: its limit and deadline (the loop's clock).
        self.due: dict[Limit, float] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = 0.0

    def limit(self, seconds: float) -> Limit:
        """An `async with` that ends the current task's work inside it after `seconds`."""
        return Limit(self, seconds)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _note(self, limit: Limit, deadline: float, loop: asyncio.AbstractEventLoop) -> None:
        self.due[limit] = deadline
        if self.timer is None or deadline < self.timer_at:
            self._set_timer(deadline, loop)

    def _set_timer(self, at: float, loop: asyncio.AbstractEventLoop) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer_at = at
        self.timer = loop.call_at(at, self._expire, loop)

    def _expire(self, loop: asyncio.AbstractEventLoop) -> None:
        self.timer = None
        now = loop.time()
        later: float | None = None
        for limit, deadline in list(self.due.items()):
            if deadline <= now:
                del self.due[limit]
                limit.expire()
            elif later is None or deadline < later:
                later = deadline
        if later is not None:
            self._set_timer(later, loop)


class Limit:
    __slots__ = ("cancelling", "deadlines", "expired", "seconds", "task")

    def __init__(self, deadlines: Deadlines, seconds: float) -> None:
        self.deadlines = deadlines
        self.seconds = seconds
        self.task: asyncio.Task[object] | None = None
        self.cancelling = 0
        self.expired = False

    def expire(self) -> None:
        assert self.task is not None
        self.expired = True
        self.task.cancel()

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a time limit needs a task")
        self.task = task
        self.cancelling = task.cancelling()
        loop = asyncio.get_running_loop()
        self.deadlines._note(self, loop.time() + self.seconds, loop)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.expired:
            del self.deadlines.due[self]  # ended in time
            return
        assert self.task is not None
        # Cancelled by the timer: as asyncio.timeout does, a TimeoutError unless someone else cancelled too.
        if self.task.uncancel() <= self.cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc
