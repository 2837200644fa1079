"""Profile the main nested query in one process: where does a request's CPU go?

    python -m bench.profile_nested [--database-url URL] [--iterations 200] [--html profile.html]

Builds one organization with 50 carriers, 20 keys each and 15 features (every enablement set) in a
throwaway database, then executes the nested query through the real schema and context (no HTTP)
under pyinstrument, and prints the profile and the mean milliseconds per execution.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from pyinstrument import Profiler

from access.principal import staff
from context import Context
from db.loaders import Loaders
from db.migrate import migrate
from db.pool import CountingDatabase, PoolDatabase, StatementCounter, create_pool
from resolvers.global_ids import to_global_id
from schema.build import schema
from server import tune_garbage_collector
from settings import Settings

QUERY = """
query Nested($id: ID!) {
  organization(id: $id) {
    name
    carriers(first: 50) {
      totalCount
      nodes {
        code name
        enablements { feature { key } state effective source }
        apiKeys(first: 20) { nodes { hint status scopes expiresAt } }
      }
    }
  }
}
"""

DATA = """
with org as (insert into organizations (name) values ('Profile Group') returning id),
features as (
    insert into features (key, name, default_enabled)
    select 'profile.f' || n, 'Feature ' || n, n % 2 = 0 from generate_series(1, 15) n returning id
),
carriers as (
    insert into carriers (code, name, organization_id)
    select 'PRF' || n, 'Profile Carrier ' || n, org.id from generate_series(1, 50) n, org returning id
),
enablements as (
    insert into carrier_enablements (carrier_id, feature_id, enabled, updated_by_kind, updated_by_id)
    select c.id, f.id, true, 'system', 'profile' from carriers c, features f
)
insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes, expires_at,
                      created_by_kind, created_by_id)
select c.id, 'Key ' || n, sha256(convert_to(c.id::text || n, 'utf8')), 'cak_test_…' || n, 'test',
       array['carrier:read'], now() + interval '30 days', 'system', 'profile'
from carriers c, generate_series(1, 20) n
"""


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--html", default=None, help="also write the profile as HTML here")
    parser.add_argument("--no-profile", action="store_true", help="only time it (no profiler overhead)")
    parser.add_argument(
        "--cprofile", action="store_true", help="a flat cProfile table (own time per function) instead"
    )
    args = parser.parse_args()
    name = f"carrier_admin_profile_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f"create database {name}")
    url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        conn = await asyncpg.connect(url)
        await migrate(conn)
        await conn.execute(DATA)
        organization_id = await conn.fetchval("select id from organizations")
        await conn.close()
        pool = await create_pool(url, min_size=1, max_size=2, statement_timeout_seconds=5)
        settings = Settings(jwt_hs256_secret="x" * 40, max_query_cost=10**6)
        principal = staff("profile", "Profile", None)
        variables = {"id": to_global_id("Organization", organization_id)}

        def context() -> Context:
            counter = StatementCounter()
            db = CountingDatabase(PoolDatabase(pool), counter)
            now = lambda: datetime.now(UTC)  # noqa: E731
            return Context(
                settings,
                principal,
                db,
                Loaders(db, principal.reach, now),
                counter,
                "p",
                None,
                now,
                json_writer=True,  # as the server's: its responses are written by orjson
            )

        result = await schema.execute(QUERY, variable_values=variables, context_value=context())
        assert not result.errors, result.errors
        for _ in range(20):  # warm up caches and prepared statements
            await schema.execute(QUERY, variable_values=variables, context_value=context())
        tune_garbage_collector(settings.gc_young_threshold)  # as the server runs

        async def execute() -> None:
            request = context()
            await schema.execute(QUERY, variable_values=variables, context_value=request)
            request.release()  # as the server does once a response is built

        async def run() -> None:
            for _ in range(args.iterations):
                await execute()

        if args.no_profile:
            # Other work on a shared machine only ever adds time: the cheapest of ten batches is the
            # steadiest figure to compare two versions by.
            batches = []
            for _ in range(10):
                cpu_started = time.process_time()
                for _ in range(max(1, args.iterations // 10)):
                    await execute()
                batches.append((time.process_time() - cpu_started) / max(1, args.iterations // 10) * 1000)
            batches.sort()
            print(f"{batches[0]:.2f} ms CPU per execution, cheapest of 10 batches (median {batches[5]:.2f})")
        else:
            await measure(run, args)
        await pool.close()
    finally:
        await admin.execute(f"drop database if exists {name} with (force)")
        await admin.close()


async def measure(run: Callable[[], Awaitable[None]], args: argparse.Namespace) -> None:
    """Time `run` (iterations of the query) bare, under pyinstrument, or under cProfile, and report."""
    profiler = Profiler(async_mode="disabled")
    flat = cProfile.Profile()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if args.cprofile:
        flat.enable()
        await run()
        flat.disable()
    elif args.no_profile:
        await run()
    else:
        with profiler:
            await run()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if args.cprofile:
        pstats.Stats(flat).sort_stats("tottime").print_stats(35)
    elif not args.no_profile:
        print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))
        if args.html:
            Path(args.html).write_text(profiler.output_html())  # noqa: ASYNC240 - a one-off at the end
    print(f"{cpu / args.iterations * 1000:.2f} ms of this process's CPU per execution")
    print(
        f"{elapsed / args.iterations * 1000:.2f} ms per execution of the nested query "
        f"(1 organization, 50 carriers, 20 keys and 15 enablements each), {args.iterations} runs"
    )


if __name__ == "__main__":
    asyncio.run(main())
