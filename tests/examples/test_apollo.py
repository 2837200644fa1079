"""Apollo Client 4 (from npm, locked in examples/apollo/) against the real server: automatic persisted
queries with nothing but `PersistedQueryLink({ sha256 })`, the published possible types, the Tools
page's documents by Apollo's own hash, as a partner's API key in development settings and as a person in
production settings. And Apollo Client itself (tests/examples/apollo_hashes/) hashing the page's
documents and generated ones: the server knows every hash it sends.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from graphql import parse
from hypothesis_graphql import queries

from db.pool import PoolDatabase, create_pool
from schema.build import schema
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn, scalar_values
from tests.examples.test_examples import _run
from tests.web.test_document_comparison import WRITTEN
from web.client_printing import apollo_printings
from web.trusted_documents import TrustedDocuments, digest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "apollo"
PROBE = ROOT / "tests" / "examples" / "apollo_hashes"
MANIFEST: dict[str, str] = json.loads((ROOT / "frontend" / "trusted-documents.json").read_text())


async def npm_ci(directory: Path) -> None:
    """The directory's locked packages, installed once (as `make test` does)."""
    installed = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    status, out, err = await _run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(directory), env={})
    assert status == 0, f"npm ci in {directory} failed:\n{out}\n{err}"


async def node(script: Path, *args: str, env: dict[str, str], stdin: bytes = b"") -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        "node",
        script.name,
        *args,
        cwd=script.parent,
        env={**os.environ, **env},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=120)
    return int(process.returncode or 0), out.decode(), err.decode()


@dataclass
class Sent:
    """What one request to /graphql carried, and how it was answered."""

    text: bool
    hash: bool
    status: int
    code: str | None
    compressed: bool


@dataclass
class Served:
    url: str
    sent: list[Sent]


Serve = Callable[..., Awaitable[Served]]


@pytest.fixture
async def serve(own_database: str) -> AsyncIterator[Serve]:
    """A real server (own database, pool) with the given settings, recording what clients send."""
    pool = await create_pool(own_database, min_size=1, max_size=4, statement_timeout_seconds=5)
    servers: list[TestServer] = []

    async def start(**overrides: Any) -> Served:
        sent: list[Sent] = []

        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            body = json.loads(await request.read() or b"{}") if request.method == "POST" else {}
            response: web.StreamResponse = await handler(request)
            raw = response.body if isinstance(response, web.Response) else None
            compressed = response.headers.get("Content-Encoding") == "gzip"
            if compressed and isinstance(raw, bytes):
                raw = gzip.decompress(raw)
            answer = json.loads(raw) if isinstance(raw, bytes) and raw else {}
            errors = answer.get("errors") if isinstance(answer, dict) else None
            code = ((errors or [{}])[0].get("extensions") or {}).get("code")
            persisted = (body.get("extensions") or {}).get("persistedQuery")
            sent.append(Sent("query" in body, persisted is not None, response.status, code, compressed))
            return response

        app = init_app(make_settings(**overrides), database=PoolDatabase(pool))
        app.middlewares.append(record)
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        return Served(str(server.make_url("/graphql")), sent)

    yield start
    for server in servers:
        await server.close()
    await pool.close()


async def test_apollo_sends_only_hashes_the_server_knows(tmp_path: Path) -> None:
    # given: the page's documents, a few written by hand, and queries generated from the schema
    await npm_ci(PROBE)
    generated = drawn(queries(schema.as_str(), custom_scalars=scalar_values()), 60)
    texts = [*MANIFEST.values(), *[w for w in WRITTEN if w.startswith("query")], *generated]

    # when: Apollo Client itself computes what it sends for each
    status, out, err = await node(PROBE / "probe.mjs", env={}, stdin=json.dumps(texts).encode())
    assert status == 0, err
    sent = json.loads(out)

    # then: the hash is of the text Apollo printed, and the server makes the same texts (graphql 16, 17)
    trusted = TrustedDocuments(MANIFEST)
    for text, apollo in zip(texts, sent, strict=True):
        assert apollo is not None, text
        assert apollo["hash"] == digest(apollo["printed"])
        assert apollo_printings(parse(text)) == {apollo["printed"], apollo["printed17"]}, text
        if text in MANIFEST.values():
            assert trusted.find(apollo["hash"]) is not None
            assert trusted.find(digest(apollo["printed17"])) is not None


async def test_the_partner_example_pages_and_labels_keys_with_persisted_queries(
    serve: Serve, own_database: str
) -> None:
    # given: a carrier with two pages of keys, and the integration's key
    await npm_ci(EXAMPLE)
    conn = await asyncpg.connect(own_database)
    carrier_id = await factories.carrier(conn, "APLO", name="Apollo Short Line")
    for _ in range(24):
        await factories.api_key(conn, carrier_id)
    key_id, secret = await factories.api_key(
        conn, carrier_id, scopes=("carrier:read", "keys:read", "keys:write"), description="ERP"
    )
    hint = await conn.fetchval("select hint from api_keys where id = $1", key_id)
    await conn.close()
    # production settings: API keys may still send ad-hoc documents (and register them)
    served = await serve(trusted_documents_only_for_people=True)
    env = {"CARRIER_ADMIN_URL": served.url, "CARRIER_ADMIN_API_KEY": secret}

    # when: the example lists the keys and labels its own
    status, out, err = await node(EXAMPLE / "keys.mjs", hint, "ERP, nightly", env=env)

    # then: both pages, the label, and Apollo's protocol: a miss, the text once, then hashes only
    assert status == 0, err
    assert "signed in as API_KEY 'ERP'" in out
    assert "APLO: Apollo Short Line" in out
    assert out.count("  key ") == 25
    assert f"described {hint}: ERP, nightly" in out
    query_miss, query_text, second_page, mutation_miss, mutation_text = served.sent
    for miss in (query_miss, mutation_miss):
        assert (miss.text, miss.hash, miss.status, miss.code) == (
            False,
            True,
            400,
            "PERSISTED_QUERY_NOT_FOUND",
        )
    for registering in (query_text, mutation_text):
        assert (registering.text, registering.hash, registering.status) == (True, True, 200)
    assert (second_page.text, second_page.hash, second_page.status) == (False, True, 200)
    # Node's fetch asks for gzip: a page of 20 keys is large enough to come compressed
    assert query_text.compressed

    # when: run again (a new process: Apollo remembers nothing), a refused label
    served.sent.clear()
    status, out, err = await node(EXAMPLE / "keys.mjs", hint, "x" * 300, env=env)

    # then: hashes only (the server remembers), and the typed error with its field, which Apollo's cache
    # keeps only with the published possible types
    assert status == 0, err
    assert "refused BAD_USER_INPUT (description): A key's description must be at most 200" in out
    assert [(s.text, s.status) for s in served.sent] == [(False, 200)] * 3


async def test_a_person_runs_a_tools_page_operation_with_apollo_in_production_settings(
    serve: Serve, own_database: str, tmp_path: Path
) -> None:
    # given: a production server (RS256 tokens, trusted documents only for people) and an administrator
    await npm_ci(EXAMPLE)
    conn = await asyncpg.connect(own_database)
    await factories.carrier(conn, "PRSN", name="Person Short Line")
    await conn.close()
    identity = factories.ProductionIdentity(tmp_path)
    served = await serve(**identity.settings, trusted_documents_only_for_people=True)
    env = {"CARRIER_ADMIN_URL": served.url, "CARRIER_ADMIN_TOKEN": identity.token(carriers=["PRSN"])}

    # when
    status, out, err = await node(EXAMPLE / "tools-page-operation.mjs", env=env)

    # then: Apollo's hash alone found the page's document
    assert status == 0, err
    assert "signed in as ADMIN 'Pat Person', 1 carriers" in out
    assert "  PRSN: Person Short Line" in out
    assert [(s.text, s.hash, s.status) for s in served.sent] == [(False, True, 200)]

    # and an ad-hoc document from the same person is refused, clearly, with nothing registered
    served.sent.clear()
    env = {"CARRIER_ADMIN_URL": served.url, "CARRIER_ADMIN_API_KEY": env["CARRIER_ADMIN_TOKEN"]}
    status, out, err = await node(EXAMPLE / "keys.mjs", env=env)
    assert status == 1
    assert "error PERSISTED_DOCUMENT_NOT_FOUND: No trusted document" in err
    assert [(s.text, s.code) for s in served.sent] == [(False, "PERSISTED_DOCUMENT_NOT_FOUND")]
