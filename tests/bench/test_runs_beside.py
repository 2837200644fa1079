"""Workloads compared with each other run in the same rounds (bench/runner.runs_of): the key workload
beside the token's, the gzip one beside the plain main one, so that a drift of the machine during the run
hits both alike (one run of stop 35 judged the key 33% dearer than the token when the two had been
measured a minute apart, each on its own). Generated lists of workloads, and the benchmark's own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.dataset import FULL, TINY
from bench.load import LoadResult
from bench.measure import Cost, summarize
from bench.runner import in_round_order, runs_of
from bench.workloads import Credential, Workload, workloads

WORKLOADS = st.lists(
    st.builds(Workload, st.text(min_size=1, max_size=5), st.sampled_from(["small", "nested"]),
              st.sampled_from(list(Credential)), beside=st.booleans()),
    max_size=12,
)  # fmt: skip


@given(WORKLOADS)
def test_each_workload_runs_once_in_order_and_beside_the_one_before_it(items: list[Workload]) -> None:
    runs = runs_of(items)
    assert [w for run in runs for w in run] == items
    for number, run in enumerate(runs):
        assert all(w.beside for w in run[1:])
        # a run starts with a workload beside nothing, unless nothing came before it
        assert not run[0].beside or number == 0


def test_the_key_runs_beside_the_token_and_gzip_beside_the_plain_main_workload() -> None:
    for shape in (FULL, TINY):
        together = {tuple(w.name for w in run) for run in runs_of(workloads(shape)) if len(run) > 1}
        main = next(w.name for w in workloads(shape) if w.main)
        assert together == {
            ("small: one carrier by code", "small, with an API key"),
            (main, f"{main}, gzip asked"),
        }


@given(st.lists(st.integers(), min_size=1, max_size=4), st.one_of(st.none(), st.just(-1)))
def test_what_is_compared_with_ours_runs_right_after_it_and_the_peer_last(
    ours: list[int], peer: int | None
) -> None:
    order = in_round_order(ours, peer)
    # ours and what runs beside it, adjacent and in the table's order; the peer after all of them
    assert order[: len(ours)] == ours
    assert order[len(ours) :] == ([] if peer is None else [peer])


COSTS = st.lists(
    st.builds(Cost, st.integers(min_value=1, max_value=500), st.floats(min_value=0.0, max_value=50.0),
              st.none(), st.none()),
    min_size=1, max_size=6,
)  # fmt: skip


@given(COSTS)
def test_a_compared_workload_is_judged_by_its_costs_summed_over_every_round(costs: list[Cost]) -> None:
    load = LoadResult(requests=100, seconds=1.0, p50_ms=1.0, p99_ms=2.0, errors=0)
    cheapest = min(costs, key=lambda c: c.cpu_ms)
    alone = summarize([load], cheapest, 100, 8)
    compared = summarize([load], cheapest, 100, 8, alternated=costs)
    # the table's column is the cheapest round either way; what it is compared by is every request's CPU
    assert alone.cpu_ms_alternated is None
    assert compared.cpu_ms_per_request == alone.cpu_ms_per_request == cheapest.cpu_ms
    total_ms = sum(c.cpu_ms * c.requests for c in costs)
    assert compared.cpu_ms_alternated == pytest.approx(total_ms / sum(c.requests for c in costs))
