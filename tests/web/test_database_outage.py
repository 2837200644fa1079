"""PostgreSQL going away under load, and coming back: a real server stopped and restarted.

The app runs against an embedded PostgreSQL of the test's own (pgserver, in a temporary directory),
so stopping it disturbs nothing else. Run with `-s` to see the measured timings.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from db import embedded
from db.migrate import migrate
from db.pool import PoolDatabase, create_pool
from server import init_app
from tests.conftest import make_settings
from tests.factories import bearer, staff_token

QUERY = {"query": "{ carriers(first: 1) { totalCount } }"}


async def _until(client: TestClient[Any, Any], path: str, status: int, limit: float) -> float:
    """Seconds until `path` answers `status` (polling every 50 ms), or fail after `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if (await client.get(path)).status == status:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} did not answer {status} within {limit} s")


async def test_requests_fail_fast_during_an_outage_and_recover_after_it(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    url, handle = await asyncio.to_thread(embedded.start, pgdata)
    conn = await asyncpg.connect(url)
    await migrate(conn)
    await conn.execute("insert into carriers (code, name) values ('OUT1', 'Outage Rail')")
    await conn.close()
    pool = await create_pool(url, min_size=2, max_size=4, statement_timeout_seconds=2)
    settings = make_settings(request_timeout_seconds=5, pool_acquire_timeout_seconds=1)
    app = init_app(settings, database=PoolDatabase(pool, acquire_timeout_seconds=1))
    headers = bearer(staff_token())
    try:
        async with TestClient(TestServer(app)) as client:
            # given: a healthy server
            ok = await client.post("/graphql", json=QUERY, headers=headers)
            assert ok.status == 200
            assert (await ok.json())["data"]["carriers"]["totalCount"] == 1

            # when: PostgreSQL stops
            stopped_at = time.monotonic()
            await asyncio.to_thread(embedded.stop, handle)
            await _until(client, "/readyz", 503, limit=5)
            to_red = time.monotonic() - stopped_at

            # then: requests fail fast with a 503 and a clear code, never hang
            failures = []
            for _ in range(10):
                started = time.monotonic()
                response = await client.post("/graphql", json=QUERY, headers=headers)
                failures.append((response.status, time.monotonic() - started, await response.json()))
            assert {status for status, _, _ in failures} == {503}
            assert all(seconds < settings.request_timeout_seconds for _, seconds, _ in failures)
            codes = {body["errors"][0]["extensions"]["code"] for _, _, body in failures}
            assert codes == {"SERVICE_UNAVAILABLE"}
            slowest = max(seconds for _, seconds, _ in failures)

            # when: PostgreSQL returns, the pool recovers by itself
            restarted_at = time.monotonic()
            url_again, handle = await asyncio.to_thread(embedded.start, pgdata)
            assert url_again == url
            await _until(client, "/readyz", 200, limit=10)
            to_green = time.monotonic() - restarted_at
            recovered = await client.post("/graphql", json=QUERY, headers=headers)
            assert recovered.status == 200
            assert (await recovered.json())["data"]["carriers"]["totalCount"] == 1
            print(
                f"\noutage: /readyz red {to_red:.2f} s after the stop began; "
                f"{len(failures)} requests during it, all 503 SERVICE_UNAVAILABLE, slowest {slowest:.3f} s; "
                f"/readyz green {to_green:.2f} s after the restart began "
                f"(outage lasted {restarted_at - stopped_at:.2f} s)"
            )
    finally:
        await pool.close()
        await asyncio.to_thread(embedded.stop, handle)
