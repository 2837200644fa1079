"""The GraphQL requests answered, for /metrics: counted in plain numbers as each request ends, and turned
into Prometheus' counter and histograms only when /metrics is scraped.

prometheus_client's Counter and Histogram take a lock and make several calls per increment (about a
tenth of the small query's Python work went to the three a request makes). The event loop is the only
writer, so plain numbers suffice; `collect` is prometheus_client's public interface for a custom
collector, and what it yields is what the Counter and Histograms printed (names, labels, buckets).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 50, 100)
INFINITY = float("inf")


class PlainHistogram:
    """Observations counted in buckets (each an upper bound, inclusive, the last +Inf) and summed."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = (*(float(bound) for bound in bounds), INFINITY)
        self.counts = [0] * len(self.bounds)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def cumulative(self) -> list[tuple[str, float]]:
        """The buckets as Prometheus writes them: each bound with the observations at or below it."""
        total, buckets = 0, []
        for bound, count in zip(self.bounds, self.counts, strict=True):
            total += count
            buckets.append(("+Inf" if bound == INFINITY else repr(bound), float(total)))
        return buckets


class AnsweredRequests(Collector):
    """Requests by (operation label, outcome), their latency by operation, statements per request."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        # As bounded as the operation labels (web/metrics.operation_label).
        self.latency: dict[str, PlainHistogram] = {}
        self.statements = PlainHistogram(STATEMENT_BUCKETS)

    def answered(self, operation: str, outcome: str, seconds: float, statements: int | None) -> None:
        key = (operation, outcome)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1
        latency = self.latency.get(operation)
        if latency is None:
            latency = self.latency[operation] = PlainHistogram(LATENCY_BUCKETS)
        latency.observe(seconds)
        if statements is not None:
            self.statements.observe(statements)

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "carrier_admin_graphql_requests",
            "GraphQL requests by operation name and outcome (ok, error, refused, rate_limited, timeout).",
            labels=["operation", "outcome"],
        )
        for (operation, outcome), count in self.counts.items():
            requests.add_metric([operation, outcome], count)
        yield requests
        latency = HistogramMetricFamily(
            "carrier_admin_graphql_request_seconds", "GraphQL request latency.", labels=["operation"]
        )
        for operation, histogram in self.latency.items():
            latency.add_metric([operation], histogram.cumulative(), histogram.sum)
        yield latency
        statements = HistogramMetricFamily(
            "carrier_admin_sql_statements_per_request", "SQL statements one GraphQL request sent."
        )
        statements.add_metric([], self.statements.cumulative(), self.statements.sum)
        yield statements
