"""The embedded default: a real PostgreSQL from the pgserver wheel, in an empty directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from db import embedded
from db.migrate import migrate


async def test_starts_from_an_empty_directory_and_migrates(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    url, handle = await asyncio.to_thread(embedded.start, pgdata)
    try:
        conn = await asyncpg.connect(url)
        try:
            applied = await migrate(conn)
            assert applied
            assert await conn.fetchval("select count(*) from carriers") == 0
        finally:
            await conn.close()
        assert (pgdata / "PG_VERSION").exists()
    finally:
        await asyncio.to_thread(embedded.stop, handle)
