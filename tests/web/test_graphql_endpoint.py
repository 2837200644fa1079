"""The /graphql endpoint end to end: HTTP in, PostgreSQL behind."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from db.pool import Connection


async def add_carrier(conn: Connection, code: str, name: str) -> None:
    await conn.execute("insert into carriers (code, name) values ($1, $2)", code, name)


async def test_graphiql_for_a_browser(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status == 200
    assert "graphiql" in (await response.text()).lower()


async def test_query_over_get(client: TestClient[Any, Any], conn: Connection) -> None:
    await add_carrier(conn, "ZZTOP", "Zed Top Railroad")
    response = await client.get("/graphql", params={"query": '{ carrier(code: "zztop") { code name } }'})
    assert response.status == 200
    assert (await response.json())["data"]["carrier"] == {
        "code": "ZZTOP",
        "name": "Zed Top Railroad",
    }
