"""The results as Markdown: one table, the floor, and what they were measured on."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.dataset import Dataset
from bench.floor import Floor
from bench.measure import COARSE_REQUESTS_PER_CONNECTION, COST_CHUNK_REQUESTS, Figures, compared_cpu

HEADER = (
    "| workload | our req/s | p50 ms | p99 ms | SQL statements/request | CPU ms/request "
    "| DB CPU ms/request | response bytes | peer req/s | peer p50 ms | peer p99 ms "
    "| peer CPU ms/request | peer DB CPU ms/request | ours ÷ peer (req/s) |"
)


@dataclass(frozen=True, slots=True)
class Row:
    workload: str
    ours: Figures
    peer: Figures | None


@dataclass(frozen=True, slots=True)
class Context:
    command: str
    started: datetime
    load: str
    pinning: str
    rounds: int
    dataset: Dataset
    postgres_version: str
    load_average: str
    peer: str
    notes: Sequence[str]


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _throughput(figures: Figures) -> str:
    return _number(figures.requests_per_second) + ("*" if figures.coarse else "")


def _ratio(ours: Figures, peer: Figures | None) -> str:
    if peer is None or peer.requests_per_second == 0:
        return "—"
    return f"{ours.requests_per_second / peer.requests_per_second:.2f}x"


def table(rows: Sequence[Row]) -> str:
    lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for row in rows:
        o, p = row.ours, row.peer
        lines.append(
            "| "
            + " | ".join(
                [
                    row.workload,
                    _throughput(o),
                    _number(o.p50_ms),
                    _number(o.p99_ms),
                    _number(o.statements_per_request),
                    _number(o.cpu_ms_per_request, 2),
                    _number(o.db_cpu_ms_per_request, 2),
                    f"{o.response_bytes:,}",
                    _throughput(p) if p else "—",
                    _number(p.p50_ms) if p else "—",
                    _number(p.p99_ms) if p else "—",
                    _number(p.cpu_ms_per_request, 2) if p else "—",
                    _number(p.db_cpu_ms_per_request, 2) if p else "—",
                    _ratio(o, p),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def compression(rows: Sequence[Row]) -> list[str]:
    """What asking for gzip costs: the main workload's row beside the same request asking for gzip."""
    plain = next((r for r in rows if r.workload.endswith("(main)")), None)
    asked = next((r for r in rows if r.workload.endswith("gzip asked")), None)
    if plain is None or asked is None:
        return []
    plain_cpu, asked_cpu, _ = compared_cpu(plain.ours, asked.ours)
    extra = asked_cpu - plain_cpu
    share = extra / plain_cpu if plain_cpu else 0.0
    sent, whole = asked.ours.response_bytes, plain.ours.response_bytes
    return [
        f"**Compression**: the main nested answer asked with `Accept-Encoding: gzip` costs {extra:+.2f} ms "
        f"CPU per request ({share:+.0%}) and sends {sent:,} bytes instead of {whole:,} "
        f"({sent / max(whole, 1):.1%}); "
        f"req/s {asked.ours.requests_per_second:,.1f} against {plain.ours.requests_per_second:,.1f} "
        "(gzip level 5, in a worker thread above 32 KiB; the CPU columns count every thread of the process)."
    ]


def key_cost(rows: Sequence[Row]) -> list[str]:
    """What a request with an API key costs beside the same request with a staff token."""
    token = next((r for r in rows if r.workload == "small: one carrier by code"), None)
    key = next((r for r in rows if r.workload == "small, with an API key"), None)
    if token is None or key is None:
        return []
    token_cpu, key_cpu, alternated = compared_cpu(token.ours, key.ours)
    if not alternated:
        return []  # measured each on its own: the table's columns say it all
    return [
        f"**API key**: the small query with an API key costs {key_cpu:.3f} ms CPU per request against "
        f"{token_cpu:.3f} ms with a staff token ({key_cpu / token_cpu - 1:+.1%}), measured alternately in "
        f"chunks of {COST_CHUNK_REQUESTS} requests after each round and summed over all rounds (the cost "
        "columns keep each one's cheapest round, which may come from different rounds)."
    ]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, e.g. `0.12 0.30 0.25`."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(rows: Sequence[Row], floor: Floor | None, context: Context, targets: Sequence[str] = ()) -> str:
    dataset = context.dataset
    shape = dataset.shape
    counts = ", ".join(f"{name} {count:,}" for name, count in sorted(dataset.row_counts.items()))
    errors = [f"{r.workload}: ours {r.ours.errors}" for r in rows if r.ours.errors] + [
        f"{r.workload}: peer {r.peer.errors}" for r in rows if r.peer and r.peer.errors
    ]
    parts = [
        "# carrier-admin benchmark",
        "",
        table(rows),
        "",
    ]
    if floor is not None:
        parts += [
            f"**Floor** (main nested response, org of {shape.main_size} carriers, built by hand: asyncpg, "
            f"dicts, orjson; one process, no HTTP, no GraphQL): **{floor.cpu_ms_per_response:.2f} ms CPU per "
            f"response** ({floor.wall_ms_per_response:.2f} ms wall, {floor.statements} SQL statements, "
            f"{floor.response_bytes:,} bytes, {floor.carriers} carriers, {floor.iterations} iterations; "
            "under the server's garbage-collector settings, as `server.py serve` runs: before they were "
            "applied here the floor paid for collecting the benchmark's own heap, 3-4 times its cost)"
            + _batches(floor)
            + ".",
            "",
        ]
    if targets:
        parts += [*targets, ""]
    parts += [
        "- Columns: req/s at fixed concurrency over all rounds, and p50/p99 latency as wrk saw it "
        "(averaged over rounds). The cost columns come from requests sent one at a time after each "
        "round's load (at least 5 and 1 s; the cheapest round is shown; a workload compared with another, "
        "the key with the token and gzip with plain, is measured alternately with it in chunks of "
        f"{COST_CHUNK_REQUESTS}), so that requests left in "
        "flight by wrk cannot skew them: CPU ms/request = the server process's user+system CPU "
        "(/proc/<pid>/stat) per request; DB CPU ms/request = the same for the PostgreSQL backends "
        "serving the benchmark database; SQL statements/request = our /metrics histogram "
        "carrier_admin_sql_statements_per_request (GraphQL execution only: the API key lookup is not "
        "counted). Response bytes = one response body.",
        f"- Load: {context.load}; {context.rounds} round(s) per server and workload, ours and the peer "
        "interleaved (ours, peer, ours, peer), and a workload compared with another (the key with the "
        "token, gzip asked with plain) in the same rounds, right after it (ours, key, peer); after a "
        "warm-up of 3 requests per connection; each server is left to finish its leftover requests and "
        "fall quiet before the next run; "
        f"{context.pinning}; PostgreSQL not pinned.",
        f"- Peer: {context.peer}",
        f"- Data set: organizations of {', '.join(str(s) for s in shape.organization_sizes)} carriers, "
        f"{shape.keys_per_carrier} API keys and an enablement row for each of {shape.features} features per "
        f"carrier; background: {shape.unattached_carriers:,} unattached carriers, "
        f"{shape.empty_organizations:,} empty organizations, {shape.activity_rows:,} activity rows. "
        f"Rows: {counts}. Built in {dataset.seconds:.1f} s.",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}); load average {context.load_average} at the "
        f"start (other work on the machine shows up as noise); {context.postgres_version}; "
        f"Python {platform.python_version()}; {platform.platform()}.",
        f"- Date: {context.started.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{context.command}`",
    ]
    if any(r.ours.coarse or (r.peer and r.peer.coarse) for r in rows):
        parts.append(
            f"- \\* Fewer than {COARSE_REQUESTS_PER_CONNECTION} requests per connection in a run: slow "
            "requests sharing one core finish in waves of about one per connection, so this req/s moves in "
            "steps of connections/duration; a longer --duration steadies it (the CPU columns do not "
            "depend on it)."
        )
    if errors:
        parts.append(f"- **Errors during load** (timeouts, non-2xx responses): {'; '.join(errors)}")
    parts += [f"- {note}" for note in context.notes]
    return "\n".join(parts) + "\n"


def write(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _batches(floor: Floor) -> str:
    if len(floor.batches) < 2:
        return ""
    each = ", ".join(f"{batch:.2f}" for batch in floor.batches)
    count = len(floor.batches)
    return f"; the cheapest of {count} batches measured between the main workload's rounds ({each} ms)"


# What a previous report says: its date, its floor, and the main workload's CPU columns (ours, the peer's).
_DATE = re.compile(r"^- Date: (.+)$", re.MULTILINE)
_FLOOR = re.compile(r"\*\*([\d.,]+) ms CPU per response\*\*")
# Within this share of each other, the floor and the peer moved together: the machine's speed moved.
TOGETHER = 0.10


def floor_movement(previous: str | None, floor: Floor | None, rows: Sequence[Row]) -> list[str]:
    """Why the floor moved since the previous run, as far as the two reports can say: beside the peer's
    CPU on the main workload (the same code both times, not ours), which moves with the machine."""
    main = next((r for r in rows if r.workload.endswith("(main)")), None)
    if previous is None or floor is None or main is None or main.peer is None:
        return []
    date, floor_then = _DATE.search(previous), _FLOOR.search(previous)
    then = _columns(previous, main.workload)
    if date is None or floor_then is None or then is None:
        return []
    try:
        floor_before = float(floor_then.group(1).replace(",", ""))
        ours_before = float(then[_OURS_CPU].replace(",", ""))
        peer_before = float(then[_PEER_CPU].replace(",", ""))
    except (IndexError, ValueError):
        return []
    if min(floor_before, ours_before, peer_before) <= 0:
        return []
    moved = floor.cpu_ms_per_response / floor_before
    peer_moved = main.peer.cpu_ms_per_request / peer_before
    why = (
        "it moved with the peer's: the machine ran faster or slower, not the code (ratios within one run "
        "stay comparable; milliseconds across runs do not)"
        if abs(moved - peer_moved) <= TOGETHER * max(moved, peer_moved)
        else "it did not move with the peer's: more than the machine's speed changed between the runs "
        "(other work during one of them, or the floor's own code)"
    )
    return [
        f"**The floor since the previous run** ({date.group(1)}): {floor_before:.2f} → "
        f"{floor.cpu_ms_per_response:.2f} ms (x{moved:.2f}); in the same two runs the peer's CPU on the main "
        f"workload {peer_before:.2f} → {main.peer.cpu_ms_per_request:.2f} ms (x{peer_moved:.2f}) and ours "
        f"{ours_before:.2f} → {main.ours.cpu_ms_per_request:.2f} ms "
        f"(x{main.ours.cpu_ms_per_request / ours_before:.2f}): {why}."
    ]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


# Where the main workload's CPU columns stand in a report's table: read from the table's own header.
_OURS_CPU = _cells(HEADER).index("CPU ms/request")
_PEER_CPU = _cells(HEADER).index("peer CPU ms/request")


def _columns(text: str, workload: str) -> list[str] | None:
    for line in text.splitlines():
        cells = _cells(line)
        if cells and cells[0] == workload:
            return cells
    return None
