"""Malformed HTTP against the real server process (web/serving.py): nothing a client sent is logged or
echoed on an error path; connections that never finish their headers are closed; past the cap, new
connections are refused. Raw sockets, because an HTTP client would not send such requests."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from hypothesis import strategies as st

from access import keyformat
from tests.drawn import drawn
from tests.web.test_server_processes import Server, servers

CLOSING_HEALTH_CHECK = b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
HEADER_NAMES = ["Authorization", "X-Api-Key", "Cookie", "X-Forwarded-For", "X-Custom-Padding"]


async def raw_exchange(server: Server, request: bytes) -> bytes:
    """Send `request` on a connection of its own; everything the server answers until it closes."""
    reader, writer = await connect(server)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(10):
            return await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):  # the server may have closed first: nothing to wait for
            await writer.wait_closed()


async def connect(server: Server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = server.url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def close(connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]) -> None:
    for _, writer in connections:
        writer.close()
    await asyncio.gather(*(w.wait_closed() for _, w in connections), return_exceptions=True)


@st.composite
def oversized_requests(draw: st.DrawFn) -> tuple[bytes, str]:
    """A request carrying a real-looking API key somewhere in an oversized line; (request, key)."""
    key = keyformat.generate("test").secret
    name = draw(st.sampled_from(HEADER_NAMES))
    before = "x" * draw(st.integers(min_value=0, max_value=9000))
    after = "y" * draw(st.integers(min_value=0, max_value=9000))
    place = draw(st.sampled_from(["header", "request line", "header name"]))
    if place == "header":
        lines = [b"POST /graphql HTTP/1.1", f"{name}: {before}Bearer {key}{after}".encode()]
    elif place == "request line":
        lines = [f"GET /graphql?q={before}{key}{after} HTTP/1.1".encode()]
    else:
        lines = [b"POST /graphql HTTP/1.1", f"{before}{key}{after}: 1".encode()]
    if len(b"\r\n".join(lines)) < 9000:
        lines.append(f"X-Filler: {'z' * 9000}".encode())  # over the limit one way or another
    return b"\r\n".join([*lines, b"Host: test", b"", b""]), key


async def test_an_oversized_request_is_neither_echoed_nor_logged(own_database: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    async with servers(own_database, 1, {"LOG_LEVEL": "DEBUG"}, log=log) as (server,):
        answers = [
            (await raw_exchange(server, request), key) for request, key in drawn(oversized_requests(), 25)
        ]
    output = log.read_text(errors="replace")
    for answer, key in answers:
        assert answer[:12] in (b"HTTP/1.0 400", b"HTTP/1.1 400", b"HTTP/1.1 431"), answer[:200]
        assert key.encode() not in answer
        assert not keyformat.PATTERN.search(answer.decode(errors="replace"))
        assert key not in output
    assert not keyformat.PATTERN.search(output), "a key reached the server's log"
    assert "malformed or failed HTTP request" in output


async def test_connections_that_never_finish_their_headers_are_closed(own_database: str) -> None:
    async with servers(own_database, 1, {"HTTP_HEADER_TIMEOUT_SECONDS": "1"}) as (server,):
        connections = [await connect(server) for _ in range(20)]
        for _, writer in connections:
            writer.write(b"POST /graphql HTTP/1.1\r\nHost: test\r\nX-Slow: ")  # and then nothing more
            await writer.drain()
        # Each is closed by the server: reading ends (EOF) instead of waiting forever.
        async with asyncio.timeout(30):
            ends = await asyncio.gather(*(reader.read() for reader, _ in connections))
        await close(connections)
    assert ends == [b""] * 20


async def test_connections_past_the_cap_are_refused(own_database: str) -> None:
    limits = {"MAX_CONNECTIONS": "5", "HTTP_HEADER_TIMEOUT_SECONDS": "30"}
    async with servers(own_database, 1, limits) as (server,):
        held = [await connect(server) for _ in range(5)]
        for _, writer in held:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")  # open, headers unfinished
            await writer.drain()
        # The server counts a connection once its event loop has accepted it, not when connect()
        # returns here: asked until the count has caught up (a 200 meanwhile closes at once).
        refused = await answered_with(server, CLOSING_HEALTH_CHECK, b"HTTP/1.1 503")
        await close(held)
        admitted = await answered_with(server, CLOSING_HEALTH_CHECK, b"HTTP/1.1 200")
    assert b"Too many connections" in refused
    assert admitted.startswith(b"HTTP/1.1 200")


async def answered_with(server: Server, request: bytes, status_line: bytes) -> bytes:
    """The server's answer to `request` once it starts with `status_line`, asked again until then (within
    30 s: a server that never answers so fails the test)."""
    async with asyncio.timeout(30):
        answer = await raw_exchange(server, request)
        while not answer.startswith(status_line):
            await asyncio.sleep(0.02)
            answer = await raw_exchange(server, request)
    return answer
