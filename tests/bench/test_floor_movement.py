"""The report says why the floor moved since the previous run (bench/report.floor_movement), reading the
previous report as `render` wrote it: with the peer's CPU on the main workload (the same code in both
runs), it moved with the machine; apart from it, something else changed. And the floor kept from batches
(bench/floor.cheapest) is the cheapest batch, every batch's figure beside it."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bench.dataset import TINY, Dataset
from bench.floor import Floor, cheapest
from bench.measure import Figures
from bench.report import TOGETHER, Context, Row, floor_movement, render

MAIN = "nested: org of 50 carriers (main)"
ms = st.floats(min_value=0.5, max_value=80, allow_nan=False, allow_infinity=False)


def figures(cpu: float) -> Figures:
    return Figures(100.0, 10.0, 15.0, cpu, 1.0, 5.0, 1000, 0, 1, False)


def report(floor_ms: float, ours_ms: float, peer_ms: float) -> tuple[str, Floor, list[Row]]:
    floor = Floor(300, floor_ms, floor_ms, 4, 1000, 50)
    rows = [Row(MAIN, figures(ours_ms), figures(peer_ms))]
    dataset = Dataset("postgresql://x/y", TINY, {}, "U00001", "secret", "cursor", 1, 1.0)
    context = Context(
        "python -m bench",
        datetime(2026, 12, 6, 11, 11, tzinfo=UTC),
        "wrk",
        "none",
        3,
        dataset,
        "PG",
        "0 0 0",
        "peer",
        [],
    )
    return render(rows, floor, context), floor, rows


@given(ms, ms, ms, ms, ms, ms)
def test_the_floor_s_move_is_read_beside_the_peer_s(
    floor_then: float, ours_then: float, peer_then: float, floor_now: float, ours_now: float, peer_now: float
) -> None:
    previous, _, _ = report(floor_then, ours_then, peer_then)
    _, floor, rows = report(floor_now, ours_now, peer_now)

    [said] = floor_movement(previous, floor, rows)

    # the figures as the reports print them (two decimals), and the verdict by the same rule
    moved = floor_now / round(floor_then, 2)
    peer_moved = peer_now / round(peer_then, 2)
    assert f"{round(floor_then, 2):.2f} → {floor_now:.2f} ms" in said
    assert "2026-12-06 11:11 UTC" in said
    together = abs(moved - peer_moved) <= TOGETHER * max(moved, peer_moved)
    assert ("it moved with the peer's" in said) is together
    assert ("it did not move with the peer's" in said) is not together


def test_nothing_is_said_without_a_previous_report_or_with_one_it_cannot_read() -> None:
    _, floor, rows = report(6.0, 12.0, 19.0)
    assert floor_movement(None, floor, rows) == []
    assert floor_movement("# some other file\n", floor, rows) == []


@given(st.lists(ms, min_size=1, max_size=5))
def test_the_floor_of_batches_is_the_cheapest_batch_with_every_batch_kept(batches: list[float]) -> None:
    floor = cheapest([Floor(100, cpu, cpu * 2, 4, 1000, 50) for cpu in batches])
    assert floor.cpu_ms_per_response == min(batches)
    assert floor.batches == tuple(batches)
    assert floor.iterations == 100 * len(batches)
