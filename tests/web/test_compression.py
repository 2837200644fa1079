"""Compression: GraphQL answers above COMPRESS_MIN_BYTES gzip-compressed when the client asks, never a tiny
one and never one carrying a secret, always `Vary: Accept-Encoding`; the page's files sent as compressed
at build time (frontend/scripts/precompress.mjs), with their caching headers.

The client here decompresses nothing by itself (auto_decompress=False): what is asserted is what crossed
the wire.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st

from access import keyformat
from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import properties
from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path  # noqa: F401
from web.compression import SECRET, accepts_gzip, add_vary

ROOT = Path(__file__).resolve().parents[2]
# A large answer with no data needed: the schema's types and their fields (introspection is on in tests).
LARGE = "{ __schema { types { name description fields { name description type { name kind } } } } }"
SMALL = "{ viewer { kind } }"
NODE = shutil.which("node") or "node"

Raw = Callable[..., Awaitable[tuple[int, dict[str, str], bytes]]]


@pytest.fixture
async def raw(client: TestClient[Any, Any]) -> AsyncIterator[Raw]:
    """POST or GET with exactly the headers given; the body as sent."""
    async with aiohttp.ClientSession(auto_decompress=False, skip_auto_headers=["Accept-Encoding"]) as http:

        async def send(path: str, body: Any = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
            url = client.make_url(path)
            method = (
                http.post(url, json=body, headers=headers)
                if body is not None
                else http.get(url, headers=headers)
            )
            async with method as response:
                return response.status, dict(response.headers), await response.read()

        yield send


def staff(**headers: str) -> dict[str, str]:
    return {**factories.bearer(factories.staff_token()), **headers}


async def test_a_large_answer_is_gzipped_when_asked_and_is_the_same_answer(raw: Raw) -> None:
    status, plain_headers, plain = await raw("/graphql", {"query": LARGE}, **staff())
    assert status == 200
    assert "Content-Encoding" not in plain_headers
    assert "Accept-Encoding" in plain_headers["Vary"]
    assert len(plain) > 10_000

    status, headers, body = await raw(
        "/graphql", {"query": LARGE}, **staff(**{"Accept-Encoding": "gzip, br"})
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert int(headers["Content-Length"]) == len(body) < len(plain) / 4
    assert json.loads(gzip.decompress(body)) == json.loads(plain)


async def test_a_small_answer_is_sent_as_it_is(raw: Raw) -> None:
    status, headers, body = await raw("/graphql", {"query": SMALL}, **staff(**{"Accept-Encoding": "gzip"}))
    assert status == 200
    assert "Content-Encoding" not in headers
    assert "Accept-Encoding" in headers["Vary"]
    assert json.loads(body)["data"]["viewer"]["kind"] == "STAFF"


async def test_the_threshold_is_a_setting(make_client: ClientFactory) -> None:
    client = await make_client(compress_min_bytes=10)
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        headers = staff(**{"Accept-Encoding": "gzip"})
        async with http.post(client.make_url("/graphql"), json={"query": SMALL}, headers=headers) as response:
            assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("accept_encoding", "compressed"),
    [("gzip;q=0", False), ("br", False), ("identity", False), ("*", True), ("deflate, GZIP;q=0.5", True)],
)
async def test_only_a_client_that_accepts_gzip_gets_it(
    raw: Raw, accept_encoding: str, compressed: bool
) -> None:
    _, headers, _ = await raw("/graphql", {"query": LARGE}, **staff(**{"Accept-Encoding": accept_encoding}))
    assert ("Content-Encoding" in headers) == compressed


def test_accept_encoding_is_read_with_its_qualities() -> None:
    codings = st.sampled_from(["gzip", "x-gzip", "br", "deflate", "identity", "*", "zstd"])
    qualities = st.one_of(st.none(), st.sampled_from(["0", "0.0", "0.001", "0.5", "1", "1.000", "junk"]))

    @properties(300)
    @given(st.lists(st.tuples(codings, qualities), max_size=6), st.sampled_from([", ", ",", " , "]))
    def read(items: list[tuple[str, str | None]], separator: str) -> None:
        header = separator.join(f"{c};q={q}" if q is not None else c for c, q in items)
        allowed = {c: q is None or (q != "junk" and float(q) > 0) for c, q in items}
        expected = allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))
        assert accepts_gzip(header) == expected, header

    read()


async def test_an_answer_carrying_a_secret_is_never_compressed(raw: Raw, conn: Connection) -> None:
    # createApiKey shows the secret once; the description (chosen by whoever calls) is in the same answer
    carrier_id = await factories.carrier(conn)
    mutation = """mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) {
      ... on CreateApiKeyPayload { secret apiKey { description scopes ipAllowlist kind status hint }
        a: apiKey { description } b: apiKey { description } c: apiKey { description } } } }"""
    variables = {
        "input": {
            "carrierId": to_global_id("Carrier", carrier_id),
            "description": "d" * 200,
            "scopes": ["CARRIER_READ"],
        }
    }
    body = {"query": mutation, "variables": variables}
    status, headers, answer = await raw("/graphql", body, **staff(**{"Accept-Encoding": "gzip"}))
    assert status == 200
    payload = json.loads(answer)["data"]["createApiKey"]
    assert keyformat.FULL_MATCH.match(payload["secret"])
    assert len(answer) > 1024  # large enough to be compressed, were it not for the secret
    assert "Content-Encoding" not in headers
    assert "Accept-Encoding" in headers["Vary"]


def test_every_key_is_recognised_wherever_it_stands() -> None:
    @properties(200)
    @given(st.sampled_from(["live", "test"]), st.text(max_size=50), st.text(max_size=50))
    def found(environment: str, before: str, after: str) -> None:
        secret = keyformat.generate(environment).secret
        assert SECRET.search(json.dumps({"x": before, "secret": secret, "y": after}).encode())

    found()


async def test_cors_and_compression_both_vary(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins="https://portal.example")
    headers = staff(Origin="https://portal.example")
    response = await client.post("/graphql", json={"query": SMALL}, headers=headers)
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert vary == {"Accept-Encoding", "Origin"}


# --- the page's files, compressed at build time ----------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A build's files, compressed by the build's own script."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Tools</title>")
    script = (
        "export const rows = [" + ",".join(f'{{"id":{n},"label":"row {n}"}}' for n in range(500)) + "];\n"
    )
    (tmp_path / "assets" / "app-1a2b3c.js").write_text(script)
    (tmp_path / "assets" / "tiny-4d5e6f.js").write_text("export {};\n")
    precompress = ROOT / "frontend/scripts/precompress.mjs"
    subprocess.run([NODE, str(precompress), str(tmp_path)], check=True, capture_output=True)  # noqa: S603 - our script
    return tmp_path


def brotli_decompressed(data: bytes) -> bytes:
    """Python has no Brotli among the locked packages; Node does."""
    script = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run([NODE, "-e", script], input=data, capture_output=True, check=True).stdout  # noqa: S603


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"), [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("", None)]
)
async def test_the_page_script_is_sent_compressed_at_build_time(
    make_client: ClientFactory, built: Path, accept_encoding: str, encoding: str | None
) -> None:
    client = await make_client(frontend_dist=built)
    original = (built / "assets" / "app-1a2b3c.js").read_bytes()
    async with aiohttp.ClientSession(auto_decompress=False, skip_auto_headers=["Accept-Encoding"]) as http:
        headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
        async with http.get(client.make_url("/assets/app-1a2b3c.js"), headers=headers) as response:
            body = await response.read()
            assert response.status == 200
            assert response.headers.get("Content-Encoding") == encoding
            assert response.headers["Vary"] == "Accept-Encoding"
            assert "javascript" in response.headers["Content-Type"]
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    decoders: dict[str | None, Callable[[bytes], bytes]] = {
        "br": brotli_decompressed,
        "gzip": gzip.decompress,
        None: bytes,
    }
    decoded = decoders[encoding](body)
    assert decoded == original
    if encoding is not None:
        assert len(body) < len(original) / 5


async def test_a_file_too_small_to_gain_is_sent_as_it_is(make_client: ClientFactory, built: Path) -> None:
    assert not (built / "assets" / "tiny-4d5e6f.js.br").exists()
    client = await make_client(frontend_dist=built)
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        headers = {"Accept-Encoding": "br, gzip"}
        async with http.get(client.make_url("/assets/tiny-4d5e6f.js"), headers=headers) as response:
            assert "Content-Encoding" not in response.headers
            assert await response.read() == b"export {};\n"


async def test_graphiqls_large_assets_are_sent_compressed(raw: Raw) -> None:
    # written by `make` beside the installed files (the Makefile's GRAPHIQL_ASSETS)
    status, headers, body = await raw("/graphiql/assets/graphiql.min.js", **{"Accept-Encoding": "br"})
    assert status == 200
    assert headers.get("Content-Encoding") == "br", "GraphiQL's compressed copies are missing: run `make`"
    assert headers["Vary"] == "Accept-Encoding"
    installed = ROOT / "web/graphiql/node_modules/graphiql/graphiql.min.js"
    assert await asyncio.to_thread(brotli_decompressed, body) == installed.read_bytes()


VARY_TOKENS = st.sampled_from(["Accept-Encoding", "accept-encoding", "Origin", "Authorization", "Cookie"])


@properties(200)
@given(st.one_of(st.none(), st.lists(VARY_TOKENS, max_size=4).map(", ".join)))
def test_vary_names_accept_encoding_once_and_keeps_what_was_there(vary: str | None) -> None:
    response = web.Response()
    if vary is not None:
        response.headers["Vary"] = vary
    add_vary(response, "Accept-Encoding")
    names = [name.strip() for name in response.headers["Vary"].split(",") if name.strip()]
    before = [name.strip() for name in (vary or "").split(",") if name.strip()]
    assert [name.lower() for name in names].count("accept-encoding") == max(
        1, [name.lower() for name in before].count("accept-encoding")
    )
    assert names[: len(before)] == before
