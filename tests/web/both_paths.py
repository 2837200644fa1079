"""HTTP tests run both ways: through Strawberry's view alone (LEAN_PATH off), and with the lean path
(web/lean.py) answering whatever it can. A module takes both by importing these fixtures (named
`client`, `make_client` and `path`):

    from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path  # noqa: F401

The lean path answers a document only once the view has answered it, so on the lean side every
JSON POST to /graphql is sent once before the test's own (`Warmed`): the test's request is then the
second of its document, and the lean path's to answer if it can. Only queries are sent twice (a
mutation's second run would be another mutation, and is the view's in any case).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from db.pool import Connection
from server import init_app
from settings import Settings, fast_path_enabled
from tests.conftest import ClientFactory, TransactionDatabase, make_settings
from web.view import utc_now

PATHS = ["view", "lean"]


class Warmed:
    """A test client whose GraphQL queries are each sent once before: the test sees the second answer."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    async def post(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.request("POST", path, **kwargs)

    async def request(self, method: str, path: str, **kwargs: Any) -> ClientResponse:
        body = kwargs.get("json")
        if method == "POST" and path == "/graphql" and _a_query(body):
            warm_up = await self.client.request(method, path, **kwargs)
            await warm_up.read()
        return await self.client.request(method, path, **kwargs)


def _a_query(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    query = body.get("query")
    return not (isinstance(query, str) and query.lstrip().startswith("mutation"))


@pytest.fixture(name="path", params=PATHS)
def http_path(request: pytest.FixtureRequest) -> str:
    """Which path this run of the test takes: "view" or "lean"."""
    chosen: str = request.param
    return chosen


def lean_serves(path: str) -> bool:
    """Whether the lean path answers on this side: it runs kept plans, which FAST_PATH=0 has none of."""
    return path == "lean" and fast_path_enabled()


def _app_client(test_client: TestClient[Any, Any], path: str) -> TestClient[Any, Any]:
    return cast("TestClient[Any, Any]", Warmed(test_client)) if path == "lean" else test_client


def _settings(path: str, **overrides: Any) -> Settings:
    return make_settings(**{"lean_path": path == "lean", **overrides})


@pytest.fixture(name="client")
async def both_paths_client(conn: Connection, path: str) -> AsyncIterator[TestClient[Any, Any]]:
    app = init_app(_settings(path), database=TransactionDatabase(conn))
    async with TestClient(TestServer(app)) as test_client:
        yield _app_client(test_client, path)


@pytest.fixture(name="make_client")
async def both_paths_make_client(conn: Connection, path: str) -> AsyncIterator[ClientFactory]:
    clients: list[TestClient[Any, Any]] = []

    async def make(now: Any = None, **overrides: Any) -> TestClient[Any, Any]:
        app = init_app(_settings(path, **overrides), database=TransactionDatabase(conn), now=now or utc_now)
        test_client = TestClient(TestServer(app))
        await test_client.start_server()
        clients.append(test_client)
        return _app_client(test_client, path)

    yield make
    for test_client in clients:
        await test_client.close()
