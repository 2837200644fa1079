"""One benchmark run per database at a time.

Two runs with the same database name would drop each other's database mid-run (and compete for the
same cores): a PostgreSQL advisory lock, held on the server for the whole run, makes the second wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from bench.dataset import with_database

WAIT_SECONDS = 900.0
POLL_SECONDS = 2.0


class BusyError(RuntimeError):
    pass


def lock_key(database_name: str) -> int:
    """A stable signed 64-bit key for this database name (advisory locks take a bigint)."""
    digest = hashlib.sha256(f"carrier-admin-bench:{database_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def exclusive(server_url: str, database_name: str) -> AsyncIterator[None]:
    """Hold the run's lock; wait (bounded) while another run holds it."""
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        key = lock_key(database_name)
        deadline = time.monotonic() + WAIT_SECONDS
        told = False
        while not await conn.fetchval("select pg_try_advisory_lock($1)", key):
            if time.monotonic() > deadline:
                raise BusyError(
                    f"another benchmark run kept database {database_name} for {WAIT_SECONDS:g} s; "
                    "use --database-name to run beside it (the figures of both will suffer)"
                )
            if not told:
                print(
                    f"another benchmark run is using database {database_name}; waiting for it ...", flush=True
                )
                told = True
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            await conn.execute("select pg_advisory_unlock($1)", key)
    finally:
        await conn.close()
