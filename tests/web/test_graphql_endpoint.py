"""The /graphql endpoint end to end: HTTP in, PostgreSQL behind."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from db.pool import Connection
from tests import factories
from tests.factories import bearer, staff_token


async def test_graphiql_for_a_browser(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert "graphiql" in (await response.text()).lower()


async def test_query_over_get(client: TestClient[Any, Any], conn: Connection) -> None:
    await factories.carrier(conn, "ZZTOP", name="Zed Top Railroad")
    response = await client.get(
        "/graphql",
        params={"query": '{ carrier(code: "zztop") { code name } }'},
        headers=bearer(staff_token()),
    )
    assert response.status == 200
    body = await response.json()
    assert body["data"]["carrier"] == {"code": "ZZTOP", "name": "Zed Top Railroad"}


async def test_unexpected_errors_are_masked_with_a_request_id(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: the carriers table is gone (inside the test's transaction), so the query fails unexpectedly
    await conn.execute("alter table carriers rename to carriers_gone")
    response = await client.post(
        "/graphql",
        json={"query": '{ carrier(code: "BNSF") { code } }'},
        headers={**bearer(staff_token()), "X-Request-Id": "req-123"},
    )
    body = await response.json()
    (error,) = body["errors"]
    assert error["message"] == "Internal error. Quote the request id to Support."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "carriers" not in str(body)
