"""The per-request loaders' own behaviour (their SQL is tested through the schema)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiodataloader import DataLoader
from hypothesis import strategies as st

from db.loaders import RequestLoader
from tests.drawn import drawn


async def test_a_cancelled_load_is_loaded_again_not_handed_out() -> None:
    calls: list[list[str]] = []

    async def batch(keys: list[str]) -> list[str]:
        calls.append(keys)
        await asyncio.sleep(0)
        return [key.upper() for key in keys]

    loader: RequestLoader[str, str] = RequestLoader(batch_load_fn=batch)
    first = loader.load("a")
    first.cancel()  # as graphql-core cancels a failed field's siblings
    again = loader.load("a")
    assert again is not first
    assert await again == "A"
    assert await loader.load("a") == "A"  # and the answer is cached as usual
    assert len(calls) == 1  # one batch, whatever it was queued with


# A request's loads, as resolvers make them: tasks that each wait some turns of the event loop, then load
# keys (one at a time or as a level), maybe more than once; some keys fail in their batch.
STEP = st.tuples(
    st.integers(min_value=0, max_value=6),  # turns of the event loop to wait first
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4),  # the keys
    st.booleans(),  # loaded together (load_all / load_many) or one by one
)
SCHEDULES = drawn(
    st.tuples(
        st.lists(st.lists(STEP, min_size=1, max_size=4), min_size=1, max_size=6),
        st.sets(st.sampled_from("abcdefgh"), max_size=2),  # keys whose batch answers an error
    ),
    300,
)


async def _run(loader_class: type[DataLoader[str, str]], tasks: list[list[Any]], failing: set[str]) -> Any:
    """Run the schedule with a loader of this class: the batches it made, and what each load answered."""
    batches: list[list[str]] = []

    async def batch(keys: list[str]) -> list[str]:
        batches.append(list(keys))
        await asyncio.sleep(0)
        # A key's error in its place, as aiodataloader takes it (its annotation says values only).
        return [ValueError(key) if key in failing else key.upper() for key in keys]  # type: ignore[misc]

    loader = loader_class(batch_load_fn=batch)

    async def together(keys: list[str]) -> list[str]:
        if isinstance(loader, RequestLoader):
            return await loader.load_all(keys)
        return await loader.load_many(keys)

    async def task(steps: list[Any]) -> list[Any]:
        answers: list[Any] = []
        for turns, keys, at_once in steps:
            for _ in range(turns):
                await asyncio.sleep(0)
            try:
                answers.append(await together(keys) if at_once else [await loader.load(key) for key in keys])
            except ValueError as error:
                answers.append(("failed", str(error)))
        return answers

    answers = await asyncio.gather(*(task(steps) for steps in tasks))
    return batches, answers


async def test_batches_are_aiodataloaders_and_a_level_answers_as_load_many() -> None:
    for tasks, failing in SCHEDULES:
        # given: the same loads, through aiodataloader's DataLoader and through ours
        # when: both run them
        their_batches, their_answers = await _run(DataLoader, tasks, failing)
        our_batches, our_answers = await _run(RequestLoader, tasks, failing)
        if not failing:
            # then: the same keys share a batch, in the same order (so a query runs the same statements),
            # and every load, or level of loads, answers the same values
            assert (our_batches, our_answers) == (their_batches, their_answers), tasks
        else:
            # a failed load ends a level's wait on its own turn: each task's loads fail where theirs
            # do, with one of the failing keys
            assert _shapes(our_answers) == _shapes(their_answers), (tasks, failing)


def _shapes(answers: list[list[Any]]) -> list[list[Any]]:
    return [[("failed",) if isinstance(a, tuple) else a for a in task] for task in answers]


async def test_a_level_waits_once_for_its_batch() -> None:
    async def batch(keys: list[str]) -> list[str]:
        await asyncio.sleep(0)
        return [key.upper() for key in keys]

    loader: RequestLoader[str, str] = RequestLoader(batch_load_fn=batch)
    assert await loader.load_all(["a", "b", "c"]) == ["A", "B", "C"]
    # already loaded: answered without another batch or wait
    assert await loader.load_all(["c", "a"]) == ["C", "A"]


# A request's loads one after another, each either alone (its batch at once) or as a load: which key,
# and whether alone.
ALONE_RUNS = drawn(
    st.tuples(
        st.lists(st.tuples(st.sampled_from("abcde"), st.booleans()), min_size=1, max_size=8),
        st.sets(st.sampled_from("abcde"), max_size=2),  # keys whose batch answers an error
    ),
    200,
)


async def test_a_load_alone_answers_and_caches_as_a_load_with_its_batch_at_once() -> None:
    for steps, failing in ALONE_RUNS:
        answers = {}
        statements = {}
        for with_alone in (True, False):
            batches: list[list[str]] = []

            async def batch(
                keys: list[str], batches: list[list[str]] = batches, failing: set[str] = failing
            ) -> list[str]:
                batches.append(list(keys))
                await asyncio.sleep(0)
                return [ValueError(key) if key in failing else key.upper() for key in keys]  # type: ignore[misc]

            loader: RequestLoader[str, str] = RequestLoader(batch_load_fn=batch)
            answered: list[str] = []
            for key, alone in steps:
                try:
                    if alone and with_alone:
                        # given: nothing else queued, as for the operation's only root field
                        answered.append(await loader.load_alone(key))
                    else:
                        answered.append(await loader.load(key))
                except ValueError as error:
                    answered.append(f"error {error}")
            answers[with_alone], statements[with_alone] = answered, batches
        # then: the same answers, and the same batches (a key loaded once is cached, an error is not)
        assert answers[True] == answers[False], steps
        assert statements[True] == statements[False], steps
