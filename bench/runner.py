"""The whole benchmark, in order: data set, servers, workloads (ours and the peer interleaved, the floor
measured between the main workload's rounds), report. Every server started here is stopped in `finally`,
and the database dropped unless kept."""

from __future__ import annotations

import asyncio
import functools
import json
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import asyncpg

from bench import dataset as data
from bench import floor as floor_module
from bench import load, lock, measure, ours, peer, processes, report, soak
from bench import targets as targets_module
from bench.backends import Backends
from bench.credentials import make_identity_provider
from bench.load import LoadResult, LoadSettings, WrkMissingError
from bench.measure import Cost, Figures, Target
from bench.peer import PeerQueries, PeerUnavailableError
from bench.processes import Pinning, Server
from bench.workloads import Credential, Workload, check_ours, our_headers, our_request, workloads

# A server under fixed-concurrency load should keep its core busy; below this, say so in the report.
BUSY_WARNING = 0.7

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Options:
    server_url: str
    database_name: str
    keep_database: bool
    tiny: bool
    duration_seconds: float
    connections: int
    threads: int
    rounds: int
    peer: bool
    peer_directory: Path
    floor_iterations: int
    soak_seconds: float
    output: Path
    command: str
    # The previous results at `output`, if any: to say what moved since (report.floor_movement).
    previous: str | None = None


@dataclass(slots=True)
class PeerState:
    server: Server | None = None
    queries: PeerQueries | None = None
    description: str = "not run (--no-peer)"


def say(message: str) -> None:
    print(message, flush=True)


async def run(options: Options) -> int:
    try:
        wrk = load.find_wrk()
    except WrkMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        async with lock.exclusive(options.server_url, options.database_name):
            text = await _build_and_measure(options, wrk)
    except RuntimeError as error:
        # Our own failures (a server that died, an answer with errors) carry their explanation.
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        print(
            f"error: PostgreSQL failed the benchmark ({type(error).__name__}: {error}); was the database "
            "dropped or the server restarted by something else meanwhile?",
            file=sys.stderr,
        )
        return 1
    print()
    print(text, flush=True)
    report.write(text, options.output)
    say(f"written to {options.output}")
    return 0


async def _build_and_measure(options: Options, wrk: str) -> str:
    started = datetime.now(UTC)
    load_average = report.load_average()
    shape = data.TINY if options.tiny else data.FULL
    say(f"building the data set in database {options.database_name} ...")
    dataset = await data.build(options.server_url, options.database_name, shape)
    say(f"data set built in {dataset.seconds:.1f} s: {dataset.row_counts}")
    try:
        with tempfile.TemporaryDirectory(prefix="carrier-admin-bench-") as scratch:
            return await _benchmark(
                options, dataset, wrk=wrk, scratch=Path(scratch), started=started, load_average=load_average
            )
    finally:
        if not options.keep_database:
            await data.drop_database(options.server_url, options.database_name)


async def _benchmark(
    options: Options, dataset: data.Dataset, *, wrk: str, scratch: Path, started: datetime, load_average: str
) -> str:
    pinning = Pinning.detect()
    settings = LoadSettings(options.threads, options.connections, options.duration_seconds, pinning.load_core)
    identity = make_identity_provider(scratch)
    credentials = {
        Credential.STAFF_TOKEN: f"Bearer {identity.staff_token()}",
        Credential.API_KEY: f"Bearer {dataset.api_key_secret}",
    }
    monitor = await Backends.connect(dataset.url)
    servers: list[Server] = []
    try:
        postgres_version = "PostgreSQL " + str(await monitor.conn.fetchval("show server_version"))
        say("starting our server (CARRIER_ADMIN_ENV=production) ...")
        our_server = ours.start(dataset.url, identity, core=pinning.server_core, log_dir=scratch)
        servers.append(our_server)
        peer_state = _start_peer(options, dataset, pinning, scratch) if options.peer else PeerState()
        if peer_state.server is not None:
            servers.append(peer_state.server)
        rows: list[report.Row] = []
        measured: list[targets_module.Measured] = []
        # The floor, a batch after each round of the main workload (the cheapest batch is kept).
        floor_batches = floor_module.Batches(
            dataset, options.floor_iterations, options.rounds, pinning.server_core
        )
        anomalies: list[str] = []
        main: tuple[str, Target] | None = None
        number = 0
        for run in runs_of(workloads(dataset.shape)):
            lead = run[0]
            say(" / ".join(workload.name for workload in run) + ":")
            ours_targets = _our_targets(
                run,
                server=our_server,
                dataset=dataset,
                credentials=credentials,
                scratch=scratch,
                first=number,
            )
            main = next(((w.name, t) for (t, _), w in zip(ours_targets, run, strict=True) if w.main), main)
            peer_target = _peer_target(peer_state, lead, dataset, scratch, number)
            number += len(run)
            targets = in_round_order(ours_targets, peer_target)
            labels = in_round_order(["ours", *(_label(w) for w in run[1:])], "peer" if peer_target else None)
            try:
                figures = await _interleaved(
                    wrk,
                    settings,
                    monitor,
                    rounds=options.rounds,
                    targets=targets,
                    labels=labels,
                    workload_name=lead.name,
                    anomalies=anomalies,
                    compared=len(run),
                    between_rounds=floor_batches.batch if _plain_main(lead) else None,
                )
            except (OSError, RuntimeError) as error:
                states = "\n".join(t.server.state() for t, _ in targets)
                raise RuntimeError(f"{lead.name}: {error}\n{states}") from error
            peer_figures = figures[len(run)] if peer_target else None
            ours_figures = figures[: len(run)]
            for workload, ours_figure in zip(run, ours_figures, strict=True):
                rows.append(
                    report.Row(workload.name, ours_figure, peer_figures if workload is lead else None)
                )
                measured.append(targets_module.Measured(workload, rows[-1]))
        memory, soaked = None, None
        if main is not None and options.soak_seconds > 0:
            say(f"memory: {main[0]} for {options.soak_seconds:.0f} s ...")
            soaked = await soak.measure_soak(wrk, main[1], settings, options.soak_seconds)
            memory = soaked.describe(main[0])
            say(f"  {memory}")
        floor = await floor_batches.floor()
    finally:
        for server in reversed(servers):
            processes.stop(server)
        await monitor.close()
    context = report.Context(
        command=options.command,
        started=started,
        load=f"wrk -t{options.threads} -c{options.connections} -d{round(options.duration_seconds)}s",
        pinning=pinning.describe(),
        rounds=options.rounds,
        dataset=dataset,
        postgres_version=postgres_version,
        load_average=load_average,
        peer=peer_state.description,
        notes=[
            *_notes(peer_state),
            *report.compression(rows),
            *report.key_cost(rows),
            *([memory] if memory else []),
            *(f"**Anomaly**: {a}" for a in anomalies),
            *report.floor_movement(options.previous, floor, rows),
        ],
    )
    verdicts = targets_module.judge(measured, floor, soaked)
    return report.render(rows, floor, context, targets_module.render(verdicts))


def _our_targets(
    run: list[Workload],
    *,
    server: Server,
    dataset: data.Dataset,
    credentials: dict[Credential, str],
    scratch: Path,
    first: int,
) -> list[tuple[Target, int]]:
    """Our request for each workload of a run, each checked once, with its response size."""
    found = []
    for offset, workload in enumerate(run):
        target = Target.prepare(
            server,
            our_request(workload, dataset),
            credentials[workload.credential],
            scratch,
            f"{first + offset}-ours",
            headers=our_headers(workload),
        )
        found.append((target, measure.validate(target, functools.partial(check_ours, workload))))
    return found


def runs_of(items: list[Workload]) -> list[list[Workload]]:
    """The workloads in the table's order, grouped into runs: one `beside` the workload before it runs in
    that one's rounds (a workload beside nothing runs on its own)."""
    runs: list[list[Workload]] = []
    for workload in items:
        if workload.beside and runs:
            runs[-1].append(workload)
        else:
            runs.append([workload])
    return runs


def in_round_order(ours: list[T], peer: T | None) -> list[T]:
    """Each round's order: ours, then ours beside it, then the peer. What is compared with ours (the
    key with the token, gzip with plain) runs right after it, never after the peer: in stop 35's and
    stop 36's runs the key, run after the peer's round, came out 12-13% slower than the token, and 1%
    slower with no peer between them."""
    return [*ours, *([peer] if peer is not None else [])]


def _label(workload: Workload) -> str:
    """How a workload run beside another is named in the rounds printed: what differs from that one."""
    if workload.accept_encoding:
        return f"ours, {workload.accept_encoding}"
    return "ours, key" if workload.credential is Credential.API_KEY else "ours"


def _plain_main(workload: Workload) -> bool:
    """The main workload as the peer is asked it (not the one asking for gzip)."""
    return workload.main and workload.accept_encoding is None


def _start_peer(options: Options, dataset: data.Dataset, pinning: Pinning, scratch: Path) -> PeerState:
    say(f"starting the peer (PostGraphile, from npm in {options.peer_directory}) ...")
    try:
        server = peer.start(options.peer_directory, dataset.url, core=pinning.server_core, log_dir=scratch)
    except (PeerUnavailableError, OSError, subprocess.SubprocessError) as error:
        say(f"the peer is unavailable, continuing without it: {error}")
        return PeerState(description=f"not run: {_first_line(error)}")
    try:
        queries = peer.discover(server, dataset)
    except (PeerUnavailableError, OSError, KeyError, TypeError, ValueError) as error:
        processes.stop(server)
        say(f"the peer's schema could not be used, continuing without it: {error}")
        return PeerState(description=f"not run: {_first_line(error)}")
    return PeerState(server, queries, _describe_peer(options.peer_directory))


def _peer_target(
    state: PeerState, workload: Workload, dataset: data.Dataset, scratch: Path, number: int
) -> tuple[Target, int] | None:
    """The peer's request for the workload, checked once, with its response size; None if it has none."""
    if state.server is None or state.queries is None:
        return None
    body = state.queries.request(workload, dataset)
    if body is None:
        return None
    target = Target.prepare(state.server, body, "", scratch, f"{number}-peer")
    try:
        return target, measure.validate(target, functools.partial(peer.check_peer, workload))
    except (RuntimeError, OSError, ValueError) as error:
        say(f"  the peer cannot answer this workload, skipped: {error}")
        return None


async def _interleaved(
    wrk: str,
    settings: LoadSettings,
    monitor: Backends,
    *,
    rounds: int,
    targets: list[tuple[Target, int]],
    labels: list[str],
    workload_name: str,
    anomalies: list[str],
    compared: int = 1,
    between_rounds: Callable[[], Awaitable[None]] | None = None,
) -> list[Figures]:
    """Ours (and any workload of ours run beside: `labels` name each target), peer, ours, peer, ...: a
    drift of the machine during the run hits all alike.

    Each round is a wrk run and then a cost measurement; the cheapest cost of the rounds is kept, since
    other work on the machine can only ever add to it. The first `compared` targets (ours and what runs
    beside it) have their wrk runs one after the other and then their costs measured together, in
    alternating chunks (measure.costs_alternated); their costs over all rounds, summed, are what they are
    compared by (Figures.cpu_ms_alternated). `between_rounds` runs after each round (the floor's
    batches, beside the main workload).
    """
    for target, _ in targets:
        await asyncio.to_thread(measure.warm_up, target, settings.connections)
    runs: list[list[LoadResult]] = [[] for _ in targets]
    costs: list[list[Cost]] = [[] for _ in targets]
    groups = [list(range(compared)), *([i] for i in range(compared, len(targets)))]
    for round_number in range(1, rounds + 1):
        for group in groups:
            loads = []
            for index in group:
                target = targets[index][0]
                loads.append(await measure.run(wrk, target, settings))
                # The next run starts once this server is quiet again (it shares the core).
                await asyncio.to_thread(measure.wait_until_idle, target.server)
            group_targets = [targets[index][0] for index in group]
            if len(group) > 1:
                spent = await measure.costs_alternated(group_targets, monitor)
            else:
                spent = [await measure.cost(group_targets[0], monitor)]
            await asyncio.to_thread(measure.wait_until_idle, group_targets[-1].server)
            for index, measured, cost in zip(group, loads, spent, strict=True):
                runs[index].append(measured.load)
                costs[index].append(cost)
                _say_round(
                    labels[index],
                    round_number,
                    measured,
                    cost,
                    workload_name=workload_name,
                    anomalies=anomalies,
                )
        if between_rounds is not None:
            await between_rounds()
    return [
        measure.summarize(
            results,
            min(spent, key=lambda c: c.cpu_ms),
            response_bytes,
            settings.connections,
            alternated=spent if index < compared and compared > 1 else None,
        )
        for index, ((_, response_bytes), results, spent) in enumerate(zip(targets, runs, costs, strict=True))
    ]


def _say_round(
    label: str,
    number: int,
    measured: measure.LoadRun,
    cost: Cost,
    *,
    workload_name: str,
    anomalies: list[str],
) -> None:
    result = measured.load
    say(
        f"  {label:<4} round {number}: {result.requests_per_second:,.1f} req/s, "
        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, server busy {measured.busy:.0%}, "
        f"{cost.cpu_ms:.2f} ms CPU per request ({cost.requests} one at a time)"
        + (f", {result.errors} errors" if result.errors else "")
    )
    if measured.busy < BUSY_WARNING or not result.requests:
        anomalies.append(
            f"{workload_name}, {label}, round {number}: {result.requests} "
            f"requests completed, its core busy only {measured.busy:.0%} of the run (compare the "
            "other rounds: other work on the machine, or waiting on PostgreSQL)"
        )


def _describe_peer(directory: Path) -> str:
    try:
        package = json.loads((directory / "node_modules" / "postgraphile" / "package.json").read_text())
        node = subprocess.run(  # noqa: S603 - the node we installed, asked its version
            [str(directory / "node_modules" / "node" / "bin" / "node"), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    except (OSError, ValueError, subprocess.SubprocessError):
        return f"PostGraphile (amber preset), installed from npm in {directory}"
    return (
        f"PostGraphile {package.get('version', '?')} (amber preset, NODE_ENV=production) on Node {node}, "
        f"installed from npm (packages `postgraphile@^5` and `node@^22`) in {directory}, same database, "
        "same core."
    )


def _notes(state: PeerState) -> list[str]:
    notes = [
        "Ours runs `python server.py serve` with CARRIER_ADMIN_ENV=production, LOG_LEVEL=WARNING, rate "
        "limits raised out of reach, in-process rate limiter (no REDIS_URL), RS256 staff tokens from a "
        "JWKS file; the API key workload presents a `cak_live_` key instead.",
    ]
    if state.queries is not None:
        notes.append(
            "The peer answers the same questions in its own schema (carriers by code, keys by creation, "
            "each carrier's own enablement rows with the feature key; no effective value, no key status); "
            "it has no API keys, so the key workload is ours alone."
        )
    return notes


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
