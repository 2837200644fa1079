"""Requests' time limits kept by one timer (db/deadlines.py) must end work as `asyncio.timeout` does.
Generated sets of concurrent jobs (work that never ends, work that ends at once, work cancelled by
someone else before its limit or after, work with a shorter asyncio timeout of its own inside, work
that outlives its limit and catches the cancellation, nested limits) run under both, and each job must
end the same way under each; no limit is left behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from hypothesis import strategies as st

from db.deadlines import Deadlines
from tests.drawn import drawn

BOUND_SECONDS = 30  # a bound on the whole run, not a wait: every job ends on its own events
SHORT = st.sampled_from([0.005, 0.01, 0.03])
LONG = st.sampled_from([20.0, 60.0])
JOBS = st.one_of(
    st.tuples(st.just("forever"), SHORT),
    st.tuples(st.just("at once"), LONG),
    st.tuples(st.just("cancelled by another"), LONG),
    st.tuples(st.just("own shorter timeout"), LONG),
    st.tuples(st.just("catches its cancellation"), SHORT),
    st.tuples(st.just("forever, nested limits"), SHORT),
    st.tuples(st.just("cancelled again past its limit"), SHORT),
)
DRAWN = drawn(st.lists(JOBS, min_size=1, max_size=6), 40)


async def job(kind: str, limit: Callable[[float], AbstractAsyncContextManager[Any]], seconds: float) -> str:
    never = asyncio.Event()
    try:
        async with limit(seconds):
            if kind in ("forever", "cancelled by another"):
                await never.wait()
            elif kind == "at once":
                for _ in range(3):
                    await asyncio.sleep(0)
                return "done"
            elif kind == "own shorter timeout":
                try:
                    async with asyncio.timeout(0.001):
                        await never.wait()
                except TimeoutError:
                    return "its own timeout"
            elif kind == "cancelled again past its limit":
                try:
                    await never.wait()
                except asyncio.CancelledError:
                    current = asyncio.current_task()
                    assert current is not None
                    current.cancel()  # as if someone else cancelled it too
                    await asyncio.sleep(0)
            elif kind == "catches its cancellation":
                try:
                    await never.wait()
                except asyncio.CancelledError:
                    return "caught"
            else:
                async with limit(seconds * 100):
                    await never.wait()
    except TimeoutError:
        return "timed out"
    except asyncio.CancelledError:
        return "cancelled"
    return "fell through"


async def outcomes(jobs: list[tuple[str, float]], limit: Callable[[float], Any]) -> list[str]:
    tasks = [asyncio.create_task(job(kind, limit, seconds)) for kind, seconds in jobs]
    await asyncio.sleep(0)  # every job inside its limit
    for task, (kind, _) in zip(tasks, jobs, strict=True):
        if kind == "cancelled by another":
            task.cancel()
    return list(await asyncio.gather(*tasks))


@asynccontextmanager
async def asyncio_limit(seconds: float) -> AsyncIterator[None]:
    async with asyncio.timeout(seconds):
        yield


async def test_limits_end_work_as_asyncio_timeout_does() -> None:
    deadlines = Deadlines()
    async with asyncio.timeout(BOUND_SECONDS):
        for jobs in DRAWN:
            expected = await outcomes(jobs, asyncio_limit)
            assert await outcomes(jobs, deadlines.limit) == expected, jobs
            assert not deadlines.due  # nothing left behind
    deadlines.close()
    assert deadlines.timer is None


async def test_one_timer_serves_every_request_in_flight() -> None:
    deadlines = Deadlines()
    never = asyncio.Event()

    async def request(seconds: float) -> None:
        async with deadlines.limit(seconds):
            await never.wait()

    first = asyncio.create_task(request(60))
    await asyncio.sleep(0)
    timer = deadlines.timer
    later = [asyncio.create_task(request(60)) for _ in range(20)]
    await asyncio.sleep(0)
    assert deadlines.timer is timer  # later deadlines set no timer of their own
    sooner = asyncio.create_task(request(0.01))
    async with asyncio.timeout(BOUND_SECONDS):
        with pytest.raises(TimeoutError):
            await sooner
    # set again, for the rest
    assert deadlines.timer is not None
    assert deadlines.timer is not timer
    for task in [first, *later]:
        task.cancel()
    await asyncio.gather(first, *later, return_exceptions=True)
    assert not deadlines.due
    deadlines.close()
