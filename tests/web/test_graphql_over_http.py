"""GraphQL over HTTP: status codes and media types by Accept header, methods, content types, request ids
and Cache-Control, against the real app."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy

from tests.conftest import ClientFactory
from tests.factories import bearer, staff_token
from tests.web.both_paths import both_paths_client, both_paths_make_client, http_path, lean_serves  # noqa: F401
from web.lean_counters import LEAN

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

VIEWER = "query Viewer { viewer { kind id } }"
PARSE_ERROR = "{ viewer { kind }"
UNKNOWN_FIELD = "{ viewer { kind nope } }"
TYPED_VARIABLE = "query Carriers($first: Int) { carriers(first: $first) { totalCount } }"
REQUIRED_VARIABLE = "query Node($id: ID!) { node(id: $id) { id } }"
MUTATION = 'mutation Create { createCarrier(input: {code: "GETX", name: "Get X"}) { __typename } }'

# (document, variables, expected code)
REQUEST_ERRORS = [
    pytest.param(PARSE_ERROR, {}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param(UNKNOWN_FIELD, {}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(TYPED_VARIABLE, {"first": "many"}, "BAD_USER_INPUT", id="variable-wrong-type"),
    pytest.param(REQUIRED_VARIABLE, {}, "BAD_USER_INPUT", id="variable-missing"),
]

HEX_ID = re.compile(r"[0-9a-f]{32}")


async def _post(
    client: TestClient[Any, Any],
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    accept: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, Any], CIMultiDictProxy[str]]:
    all_headers = {**bearer(staff_token()), **(headers or {})}
    if accept is not None:
        all_headers["Accept"] = accept
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
    )
    body: dict[str, Any] = await response.json(content_type=None)
    return response.status, response.headers["Content-Type"], body, response.headers


@pytest.mark.parametrize(("query", "variables", "code"), REQUEST_ERRORS)
async def test_request_errors_are_400_for_graphql_response_json(
    client: TestClient[Any, Any], query: str, variables: dict[str, Any], code: str
) -> None:
    status, content_type, body, _ = await _post(client, query, variables, accept=GRAPHQL_RESPONSE)

    assert status == 400
    assert content_type == "application/graphql-response+json; charset=utf-8"
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("accept", [JSON, None])
@pytest.mark.parametrize(("query", "variables", "code"), REQUEST_ERRORS)
async def test_request_errors_are_200_for_application_json(
    client: TestClient[Any, Any], query: str, variables: dict[str, Any], code: str, accept: str | None
) -> None:
    status, content_type, body, _ = await _post(client, query, variables, accept=accept)

    assert status == 200
    assert content_type == "application/json; charset=utf-8"
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [(GRAPHQL_RESPONSE, GRAPHQL_RESPONSE), (JSON, JSON), (None, JSON)],
)
async def test_a_successful_query_is_200_either_way(
    client: TestClient[Any, Any], accept: str | None, media_type: str, path: str
) -> None:
    before = replace(LEAN)
    status, content_type, body, _ = await _post(client, VIEWER, accept=accept)

    assert status == 200
    assert content_type == f"{media_type}; charset=utf-8"
    assert body == {"data": {"viewer": {"kind": "STAFF", "id": "staff-1"}}}
    # On the lean side the test's request (the document's second) is the lean path's to answer.
    assert LEAN.served == before.served + (1 if lean_serves(path) else 0)


async def test_a_mutation_over_get_is_405_with_allow_post(client: TestClient[Any, Any]) -> None:
    response = await client.get("/graphql", params={"query": MUTATION}, headers=bearer(staff_token()))

    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert (await response.json())["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_with_allow(client: TestClient[Any, Any], method: str) -> None:
    response = await client.request(method, "/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))

    assert response.status == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert response.headers["Cache-Control"] == "no-store"


async def test_form_encoded_body_is_415(client: TestClient[Any, Any]) -> None:
    response = await client.post("/graphql", data={"query": VIEWER}, headers=bearer(staff_token()))

    assert response.status == 415
    assert (await response.json())["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_text_plain_body_is_415(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/graphql",
        data=f'{{"query": "{VIEWER}"}}',
        headers={**bearer(staff_token()), "Content-Type": "text/plain"},
    )

    assert response.status == 415


async def test_multipart_body_is_415(client: TestClient[Any, Any]) -> None:
    form = FormData()
    form.add_field("operations", f'{{"query": "{VIEWER}"}}')
    form.add_field("map", "{}")
    form.add_field("file", b"contents", filename="upload.txt", content_type="text/plain")

    response = await client.post("/graphql", data=form, headers=bearer(staff_token()))

    assert response.status == 415
    assert response.headers["Cache-Control"] == "no-store"


async def test_unparseable_json_is_400(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/graphql",
        data=b'{"query": "{ viewer { kind } }"',
        headers={**bearer(staff_token()), "Content-Type": "application/json"},
    )

    assert response.status == 400
    body = await response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_cache_control_no_store_on_every_graphql_response(
    client: TestClient[Any, Any], make_client: ClientFactory
) -> None:
    responses = {
        "success": await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token())),
        "request error": await client.post(
            "/graphql", json={"query": UNKNOWN_FIELD}, headers=bearer(staff_token())
        ),
        "field error": await client.post(
            "/graphql",
            json={"query": '{ carrier(id: "x", code: "y") { code } }'},
            headers=bearer(staff_token()),
        ),
        "401": await client.post("/graphql", json={"query": VIEWER}, headers=bearer("cak_test_garbage")),
        "415": await client.post("/graphql", data="{}", headers={"Content-Type": "text/plain"}),
        "graphiql": await client.get("/graphql", headers={"Accept": "text/html"}),
    }
    limited = await make_client(rate_limit_per_person=0)
    responses["429"] = await limited.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))

    statuses = {name: response.status for name, response in responses.items()}
    assert statuses == {
        "success": 200,
        "request error": 200,
        "field error": 200,
        "401": 401,
        "415": 415,
        "graphiql": 200,
        "429": 429,
    }
    assert {name: r.headers.get("Cache-Control") for name, r in responses.items()} == dict.fromkeys(
        responses, "no-store"
    )


async def test_a_plausible_request_id_is_echoed(client: TestClient[Any, Any]) -> None:
    *_, headers = await _post(client, VIEWER, headers={"X-Request-Id": "portal:req-42.a_b"})

    assert headers["X-Request-Id"] == "portal:req-42.a_b"


async def test_an_echoed_request_id_is_in_error_bodies_too(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={**bearer("cak_test_garbage"), "X-Request-Id": "req-401"}
    )

    assert response.status == 401
    assert response.headers["X-Request-Id"] == "req-401"
    assert (await response.json())["errors"][0]["extensions"]["requestId"] == "req-401"


@pytest.mark.parametrize(
    "given",
    [
        pytest.param(None, id="absent"),
        pytest.param("", id="empty"),
        pytest.param("has spaces in it", id="spaces"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("a" * 65, id="overlong"),
    ],
)
async def test_a_missing_or_implausible_request_id_is_replaced(
    client: TestClient[Any, Any], given: str | None
) -> None:
    headers = {} if given is None else {"X-Request-Id": given}

    *_, response_headers = await _post(client, VIEWER, headers=headers)

    assert HEX_ID.fullmatch(response_headers["X-Request-Id"])


async def test_generated_request_ids_differ(client: TestClient[Any, Any]) -> None:
    *_, first = await _post(client, VIEWER)
    *_, second = await _post(client, VIEWER)

    assert first["X-Request-Id"] != second["X-Request-Id"]
