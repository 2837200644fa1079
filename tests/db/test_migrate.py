"""Migrations: applied once, idempotent, tamper-evident, safe with two migrators at once."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from db.migrate import MIGRATIONS_DIR, MigrationError, load_migrations, migrate

ROOT = Path(__file__).resolve().parents[2]


async def test_applied_once_then_nothing_pending(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        first = await migrate(conn)
        second = await migrate(conn)
        recorded = await conn.fetchval("select count(*) from schema_migrations")
    finally:
        await conn.close()
    assert first == [m.name for m in load_migrations()]
    assert second == []
    assert recorded == len(first)


async def test_two_migrators_at_once_apply_each_file_once(empty_database: str) -> None:
    a, b = await asyncpg.connect(empty_database), await asyncpg.connect(empty_database)
    try:
        applied_a, applied_b = await asyncio.gather(migrate(a), migrate(b))
        rows = await a.fetch("select name from schema_migrations order by name")
    finally:
        await a.close()
        await b.close()
    all_names = [m.name for m in load_migrations()]
    assert sorted(applied_a + applied_b) == all_names
    assert [r["name"] for r in rows] == all_names


async def test_a_changed_applied_file_is_refused(empty_database: str, tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn, directory)
        first = sorted(directory.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- an edit after the fact\n")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, directory)
        first.unlink()
        with pytest.raises(MigrationError, match="file is missing"):
            await migrate(conn, directory)
    finally:
        await conn.close()


async def test_server_refuses_to_start_on_a_tampered_history(empty_database: str) -> None:
    conn = await asyncpg.connect(empty_database)
    try:
        await migrate(conn)
        await conn.execute("update schema_migrations set checksum = 'tampered'")
    finally:
        await conn.close()
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "server.py", "migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": empty_database},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "changed after it was applied" in result.stderr
