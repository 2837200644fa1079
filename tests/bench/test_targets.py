"""bench/targets.py marks each of issue 23's targets from a run's figures: met exactly when the figure
is on the right side of the line, "not measured" when the run lacks it (never met by default)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.dataset import FULL
from bench.floor import Floor
from bench.measure import Figures
from bench.report import Row
from bench.soak import Soak
from bench.targets import Measured, Verdict, judge, render
from bench.workloads import workloads

positive = st.floats(min_value=0.01, max_value=10_000, allow_nan=False, allow_infinity=False)


@st.composite
def figures(draw: st.DrawFn, statements: float) -> Figures:
    p50 = draw(positive)
    return Figures(
        requests_per_second=draw(positive),
        p50_ms=p50,
        p99_ms=p50 * draw(st.floats(min_value=1.0, max_value=4.0)),
        cpu_ms_per_request=draw(positive),
        db_cpu_ms_per_request=draw(positive),
        statements_per_request=draw(st.sampled_from([statements - 1.0, statements, statements + 1.0])),
        response_bytes=100,
        errors=0,
        rounds=1,
        coarse=False,
        cpu_ms_alternated=draw(st.one_of(st.none(), positive)),
    )


@st.composite
def runs(draw: st.DrawFn) -> list[Measured]:
    measured = []
    for workload in workloads(FULL):
        statements = 1.0 if workload.kind == "small" else 5.0
        ours = draw(figures(statements))
        peer = draw(st.one_of(st.none(), figures(statements))) if workload.peer else None
        measured.append(Measured(workload, Row(workload.name, ours, peer)))
    return measured


def by_target(verdicts: list[Verdict], start: str) -> Verdict:
    return next(v for v in verdicts if v.target.startswith(start))


@given(runs(), positive, st.floats(min_value=50, max_value=200), st.floats(min_value=0.9, max_value=1.1))
def test_each_target_is_met_exactly_when_its_figure_is_on_the_right_side(
    measured: list[Measured], floor_ms: float, halfway: float, growth: float
) -> None:
    floor = Floor(1, floor_ms, floor_ms, 4, 100, 50)
    soak = Soak(60.0, 100, 0, halfway, halfway, halfway * growth)
    verdicts = judge(measured, floor, soak)
    rows = {m.workload.name: m.row for m in measured}

    def ratio_met(name: str, target: float) -> bool | None:
        row = rows[name]
        if row.peer is None:
            return None
        return row.ours.requests_per_second / row.peer.requests_per_second >= target

    assert by_target(verdicts, "main:").met == ratio_met("nested: org of 50 carriers (main)", 1.6)
    assert by_target(verdicts, "10 carriers").met == ratio_met("nested: org of 10 carriers", 1.25)
    assert by_target(verdicts, "100 carriers").met == ratio_met("nested: org of 100 carriers", 1.4)
    assert by_target(verdicts, "small:").met == ratio_met("small: one carrier by code", 0.9)
    main = rows["nested: org of 50 carriers (main)"].ours
    assert by_target(verdicts, "main: CPU").met == (main.cpu_ms_per_request <= 2.0 * floor_ms)
    token, key = rows["small: one carrier by code"].ours, rows["small, with an API key"].ours
    # by the costs measured alternately when both have them, else by each one's cheapest round
    key_cpu, token_cpu, alternated = key.cpu_ms_per_request, token.cpu_ms_per_request, False
    if key.cpu_ms_alternated is not None and token.cpu_ms_alternated is not None:
        key_cpu, token_cpu, alternated = key.cpu_ms_alternated, token.cpu_ms_alternated, True
    assert by_target(verdicts, "the key workload").met == (
        key.requests_per_second >= 0.95 * token.requests_per_second and key_cpu <= 1.05 * token_cpu
    )
    assert ("alternated" in by_target(verdicts, "the key workload").figure) == alternated
    nested = [m.row.ours for m in measured if m.workload.kind == "nested"]
    assert by_target(verdicts, "p99").met == all(f.p99_ms <= 2.0 * f.p50_ms for f in nested)
    assert by_target(verdicts, "SQL statements").met == all(
        (m.row.ours.statements_per_request or 0.0) <= (1.0 if m.workload.kind == "small" else 5.0)
        for m in measured
    )
    assert by_target(verdicts, "memory").met == (halfway * growth - halfway <= 0.02 * halfway)
    # the rendered table says the same, and counts what is met
    text = "\n".join(render(verdicts))
    assert f"{sum(1 for v in verdicts if v.met)} of {len(verdicts)} met" in text
    assert text.count("| yes |") == sum(1 for v in verdicts if v.met)


def test_a_run_without_the_figures_measures_nothing() -> None:
    verdicts = judge([], None, None)
    assert len(verdicts) == 9  # the nine
    assert all(v.met is None for v in verdicts)
