"""Measuring one server on one request: throughput and latency under load, and the cost of one request.

Under load (wrk), requests still in flight when a run ends make "CPU over the run / requests" inexact,
and with a few slow requests per run the error is large. So the cost of a request is measured apart:
requests sent one after another, each finished before the next, with the server's CPU (and
PostgreSQL's, and our statement count) read before and after. Between runs the server is left to
drain, so that one server's leftover requests never run during the other's measurement.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bench import backends, load, ours, processes
from bench.backends import Backends
from bench.load import LoadResult, LoadSettings
from bench.processes import Server

GZIP_MAGIC = b"\x1f\x8b"
# Warm-up: each connection sends this many requests, so that every pooled database connection has
# prepared its statements and cached its types (asyncpg introspects types once per new connection).
WARM_UP_REQUESTS_PER_CONNECTION = 3
# The sequential cost phase: at least this many requests and this long, at most this many requests.
COST_MIN_REQUESTS = 5
COST_MIN_SECONDS = 1.0
COST_MAX_REQUESTS = 500
# Costs compared with each other are measured alternately, this many requests of one, then of the next.
COST_CHUNK_REQUESTS = 25
# Idle: the server spent at most one clock tick of CPU in each of two consecutive samples.
IDLE_SAMPLE_SECONDS = 0.25
IDLE_MAX_CPU_SECONDS = 0.011
IDLE_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Target:
    """A server and the request to send it: body, Authorization header and other headers, each in a file
    for wrk."""

    server: Server
    body: bytes
    authorization: str
    body_path: Path
    authorization_path: Path
    # Ours reports statements per request at /metrics; the peer does not.
    reports_statements: bool
    headers: dict[str, str]
    headers_path: Path

    @classmethod
    def prepare(
        cls,
        server: Server,
        body: dict[str, Any],
        authorization: str,
        directory: Path,
        name: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> Target:
        encoded = json.dumps(body, separators=(",", ":")).encode()
        body_path = directory / f"{name}.json"
        body_path.write_bytes(encoded)
        authorization_path = directory / f"{name}.authorization"
        authorization_path.write_text(authorization)
        headers_path = directory / f"{name}.headers"
        headers_path.write_text("".join(f"{key}: {value}\n" for key, value in (headers or {}).items()))
        return cls(
            server,
            encoded,
            authorization,
            body_path,
            authorization_path,
            server.name == "ours",
            dict(headers or {}),
            headers_path,
        )

    def url(self) -> str:
        return f"{self.server.base_url()}/graphql"

    def send(self) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", **self.headers}
        if self.authorization:
            headers["Authorization"] = self.authorization
        return processes.request(self.server.port, "POST", "/graphql", body=self.body, headers=headers)


def validate(target: Target, check: Callable[[dict[str, Any]], None]) -> int:
    """Send the request once and check its answer; return the response body's size in bytes as sent
    (compressed, when the request asked for gzip: it must then come compressed)."""
    status, raw = target.send()
    if status != 200:
        raise RuntimeError(f"{target.server.name} answered {status}: {raw[:800]!r}")
    compressed = raw[:2] == GZIP_MAGIC
    if "gzip" in target.headers.get("Accept-Encoding", "") and not compressed:
        raise RuntimeError(f"{target.server.name} did not compress an answer of {len(raw):,} bytes")
    check(json.loads(gzip.decompress(raw) if compressed else raw))
    return len(raw)


def wait_until_idle(server: Server) -> None:
    """Until the server has finished what it was doing (e.g. requests wrk left in flight)."""
    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    quiet = 0
    before = processes.cpu_seconds(server.pid)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(IDLE_SAMPLE_SECONDS)
        now = processes.cpu_seconds(server.pid)
        quiet = quiet + 1 if now - before <= IDLE_MAX_CPU_SECONDS else 0
        before = now


def warm_up(target: Target, connections: int) -> None:
    """Concurrent requests, as many connections as the load uses: pools, caches and JIT warm."""

    def send_some(_: int) -> None:
        for _ in range(WARM_UP_REQUESTS_PER_CONNECTION):
            target.send()

    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(send_some, range(connections)))
    wait_until_idle(target.server)


@dataclass(frozen=True, slots=True)
class LoadRun:
    load: LoadResult
    # The server's CPU time over the run's wall time: about 1 for a saturated single-threaded server.
    # Much less means something else held its core, or it waited (the notes of the report say so).
    busy: float


async def run(wrk: str, target: Target, settings: LoadSettings) -> LoadRun:
    """One wrk run (it stops by itself), then the server's leftover requests drain."""
    cpu_before = processes.cpu_seconds(target.server.pid)
    result = await asyncio.to_thread(
        load.run,
        wrk,
        target.url(),
        body_path=target.body_path,
        authorization_path=target.authorization_path,
        headers_path=target.headers_path,
        settings=settings,
    )
    busy = (processes.cpu_seconds(target.server.pid) - cpu_before) / max(result.seconds, 1e-9)
    await asyncio.to_thread(wait_until_idle, target.server)
    return LoadRun(result, busy)


@dataclass(frozen=True, slots=True)
class Cost:
    """What one request costs, measured on requests sent one after another."""

    requests: int
    cpu_ms: float
    db_cpu_ms: float | None
    statements: float | None


async def cost(target: Target, monitor: Backends) -> Cost:
    spent = _Spent()
    started = time.monotonic()

    def more() -> bool:
        return spent.requests < COST_MAX_REQUESTS and (
            spent.requests < COST_MIN_REQUESTS or time.monotonic() - started < COST_MIN_SECONDS
        )

    await spent.add(target, monitor, more=more)
    return spent.cost()


async def costs_alternated(targets: Sequence[Target], monitor: Backends) -> list[Cost]:
    """The costs of requests to one server that are compared with each other (the key's with the
    token's), measured in alternating chunks of COST_CHUNK_REQUESTS, each target as many requests and
    at least as long as `cost` measures one: a drift of the machine then hits all of them alike."""
    spent = [_Spent() for _ in targets]
    started = time.monotonic()
    while min(s.requests for s in spent) < COST_MAX_REQUESTS and (
        min(s.requests for s in spent) < COST_MIN_REQUESTS
        or time.monotonic() - started < COST_MIN_SECONDS * len(targets)
    ):
        for target, own in zip(targets, spent, strict=True):
            await own.add(
                target, monitor, more=functools.partial(own.below, own.requests + COST_CHUNK_REQUESTS)
            )
    return [s.cost() for s in spent]


@dataclass(slots=True)
class _Spent:
    """What a target's requests have cost so far, summed over the chunks they were sent in. Only the
    sending is inside the CPU readings: /metrics (our statement count) is read outside them."""

    requests: int = 0
    cpu_seconds: float = 0.0
    db_cpu_seconds: float | None = 0.0
    statements: float | None = 0.0

    async def add(self, target: Target, monitor: Backends, *, more: Callable[[], bool]) -> None:
        """Send the request one at a time while `more()` says so."""
        totals_before = ours.statement_totals(target.server) if target.reports_statements else None
        db_before = await monitor.cpu_seconds()
        cpu_before = processes.cpu_seconds(target.server.pid)
        while more():
            status, _ = target.send()
            if status != 200:
                raise RuntimeError(f"{target.server.name} answered {status} while its cost was measured")
            self.requests += 1
        cpu_after = processes.cpu_seconds(target.server.pid)
        db_after = await monitor.cpu_seconds()
        totals_after = ours.statement_totals(target.server) if target.reports_statements else None
        self.cpu_seconds += cpu_after - cpu_before
        db_spent = backends.spent(db_before, db_after)
        self.db_cpu_seconds = (
            None if db_spent is None or self.db_cpu_seconds is None else self.db_cpu_seconds + db_spent
        )
        if totals_before is None or totals_after is None or self.statements is None:
            self.statements = None
        else:
            self.statements += totals_after.statements - totals_before.statements

    def below(self, requests: int) -> bool:
        return self.requests < requests

    def cost(self) -> Cost:
        return Cost(
            requests=self.requests,
            cpu_ms=self.cpu_seconds * 1000 / self.requests,
            db_cpu_ms=self.db_cpu_seconds * 1000 / self.requests if self.db_cpu_seconds is not None else None,
            statements=self.statements / self.requests if self.statements is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Figures:
    """A workload's figures for one server."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    db_cpu_ms_per_request: float | None
    statements_per_request: float | None
    response_bytes: int
    errors: int
    rounds: int
    # Too few requests per connection in some run for a steady req/s (see COARSE_REQUESTS_PER_CONNECTION).
    coarse: bool
    # CPU per request over all rounds, for a workload measured alternately with the one it runs beside
    # (runner._interleaved): what the two are compared by. None for a workload measured on its own.
    cpu_ms_alternated: float | None = None


class ComparedCpu(NamedTuple):
    lead_ms: float
    beside_ms: float
    alternated: bool  # from costs measured alternately over all rounds, not each one's cheapest round


def compared_cpu(lead: Figures, beside: Figures) -> ComparedCpu:
    """CPU per request of two workloads run beside each other: the alternated sums when both have them,
    else each one's cheapest round."""
    if lead.cpu_ms_alternated is not None and beside.cpu_ms_alternated is not None:
        return ComparedCpu(lead.cpu_ms_alternated, beside.cpu_ms_alternated, alternated=True)
    return ComparedCpu(lead.cpu_ms_per_request, beside.cpu_ms_per_request, alternated=False)


# Slow requests on one core finish in waves of about one per connection: with fewer requests than
# this per connection in a run, req/s moves in steps of connections/duration.
COARSE_REQUESTS_PER_CONNECTION = 4


def summarize(
    runs: Sequence[LoadResult],
    request_cost: Cost,
    response_bytes: int,
    connections: int,
    *,
    alternated: Sequence[Cost] | None = None,
) -> Figures:
    """Throughput over the total time of all rounds; latency percentiles averaged over the rounds that
    completed requests (a run that completed none has no latency to average); `alternated`, the costs of
    every round when they were measured alternately with another workload's, summed."""
    seconds = sum(r.seconds for r in runs)
    answered = [r for r in runs if r.requests] or list(runs)
    return Figures(
        requests_per_second=sum(r.requests for r in runs) / seconds if seconds else 0.0,
        p50_ms=sum(r.p50_ms for r in answered) / len(answered),
        p99_ms=sum(r.p99_ms for r in answered) / len(answered),
        cpu_ms_per_request=request_cost.cpu_ms,
        db_cpu_ms_per_request=request_cost.db_cpu_ms,
        statements_per_request=request_cost.statements,
        response_bytes=response_bytes,
        errors=sum(r.errors for r in runs),
        rounds=len(runs),
        coarse=min(r.requests for r in runs) < COARSE_REQUESTS_PER_CONNECTION * connections,
        cpu_ms_alternated=(
            sum(c.cpu_ms * c.requests for c in alternated) / sum(c.requests for c in alternated)
            if alternated
            else None
        ),
    )
