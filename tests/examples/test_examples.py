"""The partner examples run against a real server, so they never rot: examples/partner_sync.py and
the README's curl one-liner."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from db.pool import PoolDatabase, create_pool
from server import init_app
from tests import factories
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def server(own_database: str) -> AsyncIterator[str]:
    pool = await create_pool(own_database, min_size=1, max_size=4, statement_timeout_seconds=5)
    app = init_app(make_settings(), database=PoolDatabase(pool))
    test_server = TestServer(app)
    await test_server.start_server()
    try:
        yield str(test_server.make_url("/graphql"))
    finally:
        await test_server.close()
        await pool.close()


async def _run(*command: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return int(process.returncode or 0), out.decode(), err.decode()


async def test_partner_sync_pages_through_carrier_keys_and_enablements(
    server: str, own_database: str
) -> None:
    # given: a carrier with more keys than one page holds, and a key for the integration
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, "EXMPL", name="Example Short Line")
    await factories.feature(conn, "example.on", default=True)
    hints = [
        await conn.fetchval(
            "select hint from api_keys where id = $1", (await factories.api_key(conn, carrier_id))[0]
        )
        for _ in range(55)
    ]
    _, secret = await factories.api_key(
        conn, carrier_id, scopes=("carrier:read", "enablements:read", "keys:read"), description="ERP"
    )
    await conn.close()

    # when
    status, out, err = await _run(
        sys.executable,
        "examples/partner_sync.py",
        env={"CARRIER_ADMIN_URL": server, "CARRIER_ADMIN_API_KEY": secret},
    )

    # then: every key of both pages, the enabled feature, and no error
    assert status == 0, err
    assert "signed in as API_KEY 'ERP'" in out
    assert "EXMPL: Example Short Line (no organization)" in out
    assert "features on: example.on" in out
    assert all(hint in out for hint in hints)
    assert out.count("  key ") == 56


async def test_partner_sync_reports_typed_errors(server: str, own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, "EXMPL2")
    _, secret = await factories.api_key(conn, carrier_id, scopes=("carrier:read",))
    await conn.close()
    status, _, err = await _run(
        sys.executable,
        "examples/partner_sync.py",
        env={"CARRIER_ADMIN_URL": server, "CARRIER_ADMIN_API_KEY": secret},
    )
    assert status == 1
    assert "error FORBIDDEN" in err
    assert "ENABLEMENTS_READ" in err


async def test_the_readme_curl_one_liner(server: str, own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, "CURL1")
    _, secret = await factories.api_key(
        conn, carrier_id, scopes=("carrier:read", "enablements:read", "keys:read")
    )
    await conn.close()
    readme = (ROOT / "README.md").read_text()
    (command,) = re.findall(r"^curl .*CARRIER_ADMIN_URL.*$", readme, re.MULTILINE)
    status, out, err = await _run(
        "bash", "-c", command, env={"CARRIER_ADMIN_URL": server, "CARRIER_ADMIN_API_KEY": secret}
    )
    assert status == 0, err
    assert '"code":"CURL1"' in out
    assert '"apiKeys"' in out
