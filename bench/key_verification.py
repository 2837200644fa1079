"""Micro-benchmark: how long `Authenticator.authenticate` takes for an API key.

    python -m bench.key_verification [--iterations N] [--database-url URL]

Three cases: a valid key (format, checksum, one indexed lookup, status checks), a malformed key
(refused by the checksum, no SQL) and an unknown key (well-formed, one lookup that finds nothing).
The server is DATABASE_URL (or --database-url), else the embedded PostgreSQL in .pgdata-bench. A
throwaway database is created, migrated, given one carrier and one key, and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from access import keyformat
from db import embedded
from db.migrate import migrate
from db.pool import Database, PoolDatabase, create_pool
from settings import PROJECT_ROOT, Settings
from web.authentication import AuthenticationError, Authenticator
from web.view import utc_now

DEFAULT_ITERATIONS = 2000
EMBEDDED_PGDATA = PROJECT_ROOT / ".pgdata-bench"


@dataclass(frozen=True, slots=True)
class Summary:
    case: str
    median_us: float
    p90_us: float
    p99_us: float


def with_database(url: str, name: str) -> str:
    """The same server as `url`, another database (query parameters kept)."""
    head, question, query = url.partition("?")
    base, _, _old = head.rpartition("/")
    return f"{base}/{name}{question}{query}"


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarise(case: str, samples_ns: Sequence[int]) -> Summary:
    ordered = sorted(ns / 1000 for ns in samples_ns)
    return Summary(case, statistics.median(ordered), percentile(ordered, 0.90), percentile(ordered, 0.99))


async def seed(conn: asyncpg.Connection) -> str:
    """One carrier and one active key; returns the key's secret."""
    carrier_id: uuid.UUID = await conn.fetchval(
        "insert into carriers (code, name) values ('BENCH', 'Bench Railroad') returning id"
    )
    issued = keyformat.generate("test")
    now = utc_now()
    await conn.execute(
        """
        insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                              created_at, updated_at, expires_at, created_by_kind, created_by_id)
        values ($1, 'Benchmark integration', $2, $3, $4, $5, $6, $6, $7, 'system', 'bench')
        """,
        carrier_id,
        issued.secret_hash,
        issued.hint,
        issued.environment,
        ["carrier:read"],
        now,
        now + timedelta(days=1),
    )
    return issued.secret


def one_character_changed(secret: str) -> str:
    position = len(secret) // 2
    replacement = "A" if secret[position] != "A" else "B"
    return secret[:position] + replacement + secret[position + 1 :]


async def attempt(authenticator: Authenticator, database: Database, secret: str) -> bool:
    """True if the key authenticated, False if it was refused."""
    try:
        await authenticator.authenticate(
            authorization=f"Bearer {secret}", query={}, address=None, database=database
        )
    except AuthenticationError:
        return False
    return True


async def measure(
    authenticator: Authenticator, database: Database, secret: str, *, iterations: int, accepted: bool
) -> list[int]:
    warm_up = max(50, iterations // 10)
    for _ in range(warm_up):
        if await attempt(authenticator, database, secret) is not accepted:
            raise RuntimeError(f"the key was {'refused' if accepted else 'accepted'} unexpectedly")
    samples: list[int] = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        await attempt(authenticator, database, secret)
        samples.append(time.perf_counter_ns() - started)
    return samples


async def run(server_url: str, iterations: int) -> tuple[str, list[Summary]]:
    name = f"carrier_admin_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"create database {name}")
        try:
            url = with_database(server_url, name)
            conn = await asyncpg.connect(url)
            try:
                await migrate(conn)
                secret = await seed(conn)
                version: str = await conn.fetchval("show server_version")
            finally:
                await conn.close()
            pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_seconds=5)
            try:
                database = PoolDatabase(pool)
                authenticator = Authenticator(Settings(jwt_hs256_secret="x" * 40), now=utc_now)
                cases: list[tuple[str, str, bool]] = [
                    ("valid key", secret, True),
                    ("malformed key", one_character_changed(secret), False),
                    ("unknown key", keyformat.generate("test").secret, False),
                ]
                summaries = [
                    summarise(
                        case,
                        await measure(authenticator, database, key, iterations=iterations, accepted=accepted),
                    )
                    for case, key, accepted in cases
                ]
            finally:
                await pool.close()
        finally:
            await admin.execute(f"drop database if exists {name} with (force)")
    finally:
        await admin.close()
    return version, summaries


def report(version: str, iterations: int, summaries: Sequence[Summary]) -> str:
    lines = [
        f"API key verification: Authenticator.authenticate, {iterations} iterations per case "
        f"(PostgreSQL {version})",
        f"{'case':<16}{'median':>10}{'p90':>10}{'p99':>10}   (microseconds)",
    ]
    lines += [f"{s.case:<16}{s.median_us:>10.1f}{s.p90_us:>10.1f}{s.p99_us:>10.1f}" for s in summaries]
    return "\n".join(lines)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.key_verification", description=__doc__)
    parser.add_argument("--iterations", type=positive, default=DEFAULT_ITERATIONS, help="timed runs per case")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="a PostgreSQL server (any database on it); default DATABASE_URL, else the embedded one",
    )
    args = parser.parse_args(argv)
    iterations: int = args.iterations
    server_url: str | None = args.database_url
    handle: Any = None
    if server_url is None:
        server_url, handle = embedded.start(EMBEDDED_PGDATA)
    try:
        version, summaries = asyncio.run(run(server_url, iterations))
    finally:
        if handle is not None:
            embedded.stop(handle)
    print(report(version, iterations, summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
