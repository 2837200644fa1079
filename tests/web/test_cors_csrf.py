"""Cross-site requests: the CSRF rule for GET, GraphiQL for browsers, and CORS for configured origins."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import ClientFactory
from tests.factories import bearer, staff_token
from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path  # noqa: F401

VIEWER = "query Viewer { viewer { kind } }"
ALLOWED = "https://admin.example.com"
OTHER = "https://evil.example.net"


async def test_get_with_a_query_and_no_preflight_header_is_refused(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", params={"query": VIEWER})

    assert response.status == 400
    body = await response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
    assert response.headers["Cache-Control"] == "no-store"


async def test_get_with_x_requested_with_is_answered(client: TestClient[Any, Any]) -> None:
    response = await client.get(
        "/graphql", params={"query": VIEWER}, headers={"X-Requested-With": "XMLHttpRequest"}
    )

    assert response.status == 200
    assert await response.json() == {"data": {"viewer": {"kind": "ANONYMOUS"}}}


async def test_get_with_authorization_is_answered(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", params={"query": VIEWER}, headers=bearer(staff_token()))

    assert response.status == 200
    assert await response.json() == {"data": {"viewer": {"kind": "STAFF"}}}


async def test_graphiql_page_for_a_browser(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status == 200
    assert response.content_type == "text/html"
    assert "graphiql" in (await response.text()).lower()


async def test_graphiql_turned_off_is_404(make_client: ClientFactory) -> None:
    client = await make_client(graphiql=False)

    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status == 404
    assert response.content_type == "application/json"
    assert (await response.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # The API itself still answers.
    answered = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))
    assert answered.status == 200


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_preflight_from_the_configured_origin(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins=ALLOWED)

    response = await client.options("/graphql", headers=_preflight(ALLOWED))

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed_headers = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers
    assert "Origin" in {v.strip() for v in response.headers["Vary"].split(",")}


async def test_preflight_from_a_trailing_slash_origin_setting(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins=f" {ALLOWED}/ , https://other.example.com")

    response = await client.options("/graphql", headers=_preflight(ALLOWED))

    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


async def test_preflight_from_another_origin_is_403(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins=ALLOWED)

    response = await client.options("/graphql", headers=_preflight(OTHER))

    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


async def test_preflight_with_no_origins_configured_is_403(client: TestClient[Any, Any]) -> None:
    response = await client.options("/graphql", headers=_preflight(ALLOWED))

    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_post_from_the_configured_origin_gets_cors_headers(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins=ALLOWED)

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={**bearer(staff_token()), "Origin": ALLOWED}
    )

    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in {v.strip() for v in response.headers["Vary"].split(",")}
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert "X-Request-Id" in exposed


async def test_refusals_from_the_configured_origin_get_cors_headers_too(make_client: ClientFactory) -> None:
    # A browser can only read a 401 or 429 body (and Retry-After) when the CORS headers are there.
    client = await make_client(cors_origins=ALLOWED)

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={**bearer("cak_test_garbage"), "Origin": ALLOWED}
    )

    assert response.status == 401
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


async def test_post_from_another_origin_gets_no_cors_headers(make_client: ClientFactory) -> None:
    client = await make_client(cors_origins=ALLOWED)

    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={**bearer(staff_token()), "Origin": OTHER}
    )

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Expose-Headers" not in response.headers
