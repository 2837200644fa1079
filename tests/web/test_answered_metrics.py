"""The requests answered are counted in plain numbers and turned into Prometheus' families when scraped
(web/answered_metrics.py): for any generated run of requests, /metrics must print exactly what
prometheus_client's own Counter and Histograms, fed the same requests, print (their `_created` lines
aside, which a scrape does not need)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from tests.drawn import properties
from web.answered_metrics import LATENCY_BUCKETS, STATEMENT_BUCKETS, AnsweredRequests

OPERATIONS = st.sampled_from(["-", "other", "CarrierByCode", "OrganizationCarriers"])
OUTCOMES = st.sampled_from(["ok", "error", "refused", "rate_limited", "timeout"])
# Latencies on and around the buckets' bounds, and anywhere between.
SECONDS = st.one_of(
    st.sampled_from(LATENCY_BUCKETS),
    st.floats(min_value=0, max_value=20, allow_nan=False),
    st.just(0.0),
)
STATEMENTS = st.one_of(st.none(), st.sampled_from(STATEMENT_BUCKETS), st.integers(min_value=0, max_value=500))
REQUESTS = st.lists(st.tuples(OPERATIONS, OUTCOMES, SECONDS, STATEMENTS), max_size=60)


def prometheus_text(requests: list[tuple[str, str, float, int | None]]) -> list[str]:
    registry = CollectorRegistry()
    counter = Counter(
        "carrier_admin_graphql_requests",
        "GraphQL requests by operation name and outcome (ok, error, refused, rate_limited, timeout).",
        ["operation", "outcome"],
        registry=registry,
    )
    latency = Histogram(
        "carrier_admin_graphql_request_seconds",
        "GraphQL request latency.",
        ["operation"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    statements = Histogram(
        "carrier_admin_sql_statements_per_request",
        "SQL statements one GraphQL request sent.",
        buckets=STATEMENT_BUCKETS,
        registry=registry,
    )
    for operation, outcome, seconds, count in requests:
        counter.labels(operation, outcome).inc()
        latency.labels(operation).observe(seconds)
        if count is not None:
            statements.observe(count)
    return lines(registry)


def lines(registry: CollectorRegistry) -> list[str]:
    text = generate_latest(registry).decode()
    return sorted(line for line in text.splitlines() if "_created" not in line)


@properties(200)
@given(REQUESTS)
def test_scraped_answers_read_as_prometheus_own_metrics_would(
    requests: list[tuple[str, str, float, int | None]],
) -> None:
    registry = CollectorRegistry()
    answers = AnsweredRequests()
    registry.register(answers)
    for operation, outcome, seconds, count in requests:
        answers.answered(operation, outcome, seconds, count)
    assert lines(registry) == prometheus_text(requests)
