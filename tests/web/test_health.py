"""/healthz and /readyz against a real pool, with the database refusing and then accepting again."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from db.pool import PoolDatabase, create_pool
from server import init_app
from tests.conftest import database_url, make_settings


async def test_healthz_answers_without_database(client: TestClient[Any, Any]) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_follows_the_database(own_database: str, server_url: str) -> None:
    name = own_database.split("?", maxsplit=1)[0].rsplit("/", 1)[1]
    pool = await create_pool(own_database, min_size=1, max_size=2, statement_timeout_seconds=2)
    admin = await asyncpg.connect(database_url(server_url, "postgres"))
    app = init_app(make_settings(), database=PoolDatabase(pool))
    try:
        async with TestClient(TestServer(app)) as client:
            assert (await client.get("/readyz")).status == 200

            # given: the database stops accepting connections and drops the existing ones
            await admin.execute(f"alter database {name} allow_connections false")
            await admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", name
            )
            # then: readiness turns red
            response = await client.get("/readyz")
            assert response.status == 503
            assert (await response.json())["status"] == "unavailable"

            # when: it accepts connections again, readiness recovers without a restart
            await admin.execute(f"alter database {name} allow_connections true")
            for _ in range(20):
                if (await client.get("/readyz")).status == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await client.get("/readyz")).status == 200
    finally:
        await admin.execute(f"alter database {name} allow_connections true")
        await admin.close()
        await pool.close()
