"""Measuring one server on one request: throughput and latency under load, and the cost of one request.

Under load (wrk), requests still in flight when a run ends make "CPU over the run / requests" inexact,
and with a few slow requests per run the error is large. So the cost of a request is measured apart:
requests sent one after another, each finished before the next, with the server's CPU (and
PostgreSQL's, and our statement count) read before and after. Between runs the server is left to
drain, so that one server's leftover requests never run during the other's measurement.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    totals_before = ours.statement_totals(target.server) if target.reports_statements else None
    db_before = await monitor.cpu_seconds()
    cpu_before = processes.cpu_seconds(target.server.pid)
    started, sent = time.monotonic(), 0
    while sent < COST_MAX_REQUESTS and (
        sent < COST_MIN_REQUESTS or time.monotonic() - started < COST_MIN_SECONDS
    ):
        status, _ = target.send()
        if status != 200:
            raise RuntimeError(f"{target.server.name} answered {status} while its cost was measured")
        sent += 1
    cpu_after = processes.cpu_seconds(target.server.pid)
    db_after = await monitor.cpu_seconds()
    totals_after = ours.statement_totals(target.server) if target.reports_statements else None
    db_spent = backends.spent(db_before, db_after)
    statements = None
    if totals_before is not None and totals_after is not None:
        statements = (totals_after.statements - totals_before.statements) / sent
    return Cost(
        requests=sent,
        cpu_ms=(cpu_after - cpu_before) * 1000 / sent,
        db_cpu_ms=db_spent * 1000 / sent if db_spent is not None else None,
        statements=statements,
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


# Slow requests on one core finish in waves of about one per connection: with fewer requests than
# this per connection in a run, req/s moves in steps of connections/duration.
COARSE_REQUESTS_PER_CONNECTION = 4


def summarize(
    runs: Sequence[LoadResult], request_cost: Cost, response_bytes: int, connections: int
) -> Figures:
    """Throughput over the total time of all rounds; latency percentiles averaged over the rounds that
    completed requests (a run that completed none has no latency to average)."""
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
    )
