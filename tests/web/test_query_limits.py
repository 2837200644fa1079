"""Limits on one request, each at its boundary: depth, aliases, directives per field, cost, tokens, body
size, and batching; and the request rules beside them: the introspection policy and "did you mean".

Expected costs are worked out by hand from schema/limits.py's model: a field costs
1 + multiplier * (its children's cost), the multiplier being `first`/`last` (a variable's value, once
the variables are known; DEFAULT_PAGE_SIZE when absent) on a connection, the length of `ids`, or
LIST_COST_ESTIMATE for another list; edges/nodes of a connection multiply by 1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from db.pool import Connection
from tests.conftest import ClientFactory
from tests.factories import admin_token, bearer, staff_token

VIEWER = "{ viewer { kind } }"  # 6 tokens: { viewer { kind } }

DEPTH_3 = "{ carriers(first: 1) { nodes { code } } }"
DEPTH_4 = "{ carriers(first: 1) { nodes { organization { name } } } }"
DEPTH_4_THROUGH_FRAGMENT = """
query Deep { carriers(first: 1) { ...Page } }
fragment Page on CarrierConnection { nodes { organization { name } } }
"""
DEEP_INTROSPECTION = "{ __schema { types { fields { type { ofType { name } } } } } viewer { kind } }"

TWO_ALIASES = "{ a: viewer { kind } b: viewer { id } }"
THREE_ALIASES = "{ a: viewer { kind } b: viewer { id } c: viewer { name } }"

ONE_DIRECTIVE = "{ viewer { kind @include(if: true) } }"
TWO_DIRECTIVES = "{ viewer { kind @include(if: true) @skip(if: false) } }"

# carriers(first: 3)                       1 + 3 * nodes
#   nodes                                  1 + 1 * (code + enablements)      (a connection's list: * 1)
#     code                                 1
#     enablements                          1 + LIST_COST_ESTIMATE * effective = 1 + 20 * 1 = 21
# nodes = 1 + (1 + 21) = 23; carriers = 1 + 3 * 23 = 70
COSTLY = "query Costly { carriers(first: 3) { nodes { code enablements { effective } } } }"
COSTLY_COST = 70
# Same shape with LIST_COST_ESTIMATE = 5: enablements = 6, nodes = 1 + 7 = 8, carriers = 1 + 3 * 8 = 25.
COSTLY_COST_WITH_ESTIMATE_5 = 25
# A variable `first` costs what the variable says: with n = 3, 1 + 3 * 1.
VARIABLE_FIRST = "query Page($n: Int) { carriers(first: $n) { totalCount } }"
VARIABLE_FIRST_COST = 4
# No `first`: DEFAULT_PAGE_SIZE (20): 1 + 20 * 1.
NO_FIRST = "{ carriers { totalCount } }"
NO_FIRST_COST = 21
# `last` counts like `first`: 1 + 7 * 1.
LAST = "{ carriers(last: 7) { totalCount } }"
LAST_COST = 8
# nodes(ids:) multiplies by the number of ids: 1 + 3 * (id = 1).
NODES_BY_IDS = '{ nodes(ids: ["a", "b", "c"]) { id } }'
NODES_BY_IDS_COST = 4
# Nested connections multiply: carriers = 1 + 4 * (nodes = 1 + code) = 9;
# organizations = 1 + 2 * (nodes = 1 + 9) = 21.
NESTED = "{ organizations(first: 2) { nodes { carriers(first: 4) { nodes { code } } } } }"
NESTED_COST = 21
# Fragments are counted: 1 + 2 * totalCount.
WITH_FRAGMENT = """
query Fragmented { ...Carriers }
fragment Carriers on Query { carriers(first: 2) { totalCount } }
"""
WITH_INLINE_FRAGMENT = "{ ... on Query { carriers(first: 2) { ... on CarrierConnection { totalCount } } } }"
FRAGMENT_COST = 3

SCHEMA_TYPES = "{ __schema { types { name } } }"
ONE_TYPE = '{ __type(name: "Carrier") { name } }'
TYPENAME = "{ __typename }"
# Misspellings, each of which graphql-core answers with a "Did you mean ...?" suggestion by default.
MISSPELT = [
    pytest.param("{ viewr { kind } }", id="field"),
    pytest.param("{ carriers(frist: 1) { totalCount } }", id="argument"),
    pytest.param(
        "{ carriers { nodes { apiKeys(filter: {status: ACTIV}) { totalCount } } } }", id="enum-value"
    ),
    pytest.param('{ node(id: "x") { ... on Carier { code } } }', id="type"),
    pytest.param(
        'mutation { createCarrier(input: {code: "AB", name: "X", nmae: "Y"}) { __typename } }',
        id="input-field",
    ),
]

CREATE_CARRIER = """
mutation Create($code: String!) { createCarrier(input: {code: $code, name: "Batch Line"}) { __typename } }
"""


async def _post(
    client: TestClient[Any, Any], query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(staff_token())
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


def _answered(body: dict[str, Any]) -> None:
    assert "errors" not in body, body
    assert body["data"] is not None


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in body, body
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


def _too_complex(limit: str, maximum: int, actual: int) -> dict[str, Any]:
    return {"code": "QUERY_TOO_COMPLEX", "limit": limit, "maximum": maximum, "actual": actual}


async def test_depth_at_the_limit_is_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_query_depth=3)

    _answered(await _post(client, DEPTH_3))


async def test_depth_one_over_the_limit_is_refused(make_client: ClientFactory) -> None:
    client = await make_client(max_query_depth=3)

    body = await _post(client, DEPTH_4)

    assert _refusal(body) == _too_complex("MAX_QUERY_DEPTH", 3, 4)
    assert "MAX_QUERY_DEPTH" in body["errors"][0]["message"]


async def test_depth_counts_through_fragments(make_client: ClientFactory) -> None:
    client = await make_client(max_query_depth=3)

    assert _refusal(await _post(client, DEPTH_4_THROUGH_FRAGMENT)) == _too_complex("MAX_QUERY_DEPTH", 3, 4)


async def test_introspection_does_not_count_toward_depth(make_client: ClientFactory) -> None:
    # viewer { kind } is 2 levels deep; the introspection beside it is 6.
    client = await make_client(max_query_depth=2)

    body = await _post(client, DEEP_INTROSPECTION)

    _answered(body)
    assert body["data"]["__schema"]["types"]


async def test_aliases_at_the_limit_are_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_aliases=2)

    _answered(await _post(client, TWO_ALIASES))


async def test_aliases_one_over_the_limit_are_refused(make_client: ClientFactory) -> None:
    client = await make_client(max_aliases=2)

    assert _refusal(await _post(client, THREE_ALIASES)) == _too_complex("MAX_ALIASES", 2, 3)


async def test_directives_at_the_limit_are_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_directives_per_field=1)

    _answered(await _post(client, ONE_DIRECTIVE))


async def test_directives_one_over_the_limit_are_refused(make_client: ClientFactory) -> None:
    client = await make_client(max_directives_per_field=1)

    assert _refusal(await _post(client, TWO_DIRECTIVES)) == _too_complex("MAX_DIRECTIVES_PER_FIELD", 1, 2)


async def test_cost_at_the_limit_is_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_query_cost=COSTLY_COST)

    _answered(await _post(client, COSTLY))


async def test_cost_one_over_the_limit_is_refused_with_the_cost(make_client: ClientFactory) -> None:
    client = await make_client(max_query_cost=COSTLY_COST - 1)

    assert _refusal(await _post(client, COSTLY)) == _too_complex(
        "MAX_QUERY_COST", COSTLY_COST - 1, COSTLY_COST
    )


async def test_cost_uses_the_list_estimate_setting(make_client: ClientFactory) -> None:
    client = await make_client(max_query_cost=1, list_cost_estimate=5)

    assert _refusal(await _post(client, COSTLY))["actual"] == COSTLY_COST_WITH_ESTIMATE_5


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        pytest.param(VARIABLE_FIRST, {"n": 3}, VARIABLE_FIRST_COST, id="variable-first-is-its-value"),
        pytest.param(NO_FIRST, {}, NO_FIRST_COST, id="no-first-is-default-page"),
        pytest.param(LAST, {}, LAST_COST, id="last"),
        pytest.param(NODES_BY_IDS, {}, NODES_BY_IDS_COST, id="nodes-by-ids"),
        pytest.param(NESTED, {}, NESTED_COST, id="nested-connections"),
        pytest.param(WITH_FRAGMENT, {}, FRAGMENT_COST, id="fragment"),
        pytest.param(WITH_INLINE_FRAGMENT, {}, FRAGMENT_COST, id="inline-fragment"),
    ],
)
async def test_cost_model(
    make_client: ClientFactory, query: str, variables: dict[str, Any], cost: int
) -> None:
    at_limit = await make_client(max_query_cost=cost)
    below = await make_client(max_query_cost=cost - 1)

    _answered(await _post(at_limit, query, variables))
    assert _refusal(await _post(below, query, variables)) == _too_complex("MAX_QUERY_COST", cost - 1, cost)


async def test_tokens_at_the_limit_are_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_tokens=6)

    _answered(await _post(client, VIEWER))


async def test_tokens_one_over_the_limit_are_refused(make_client: ClientFactory) -> None:
    client = await make_client(max_tokens=5)

    body = await _post(client, VIEWER)

    extensions = _refusal(body)
    assert extensions["code"] == "QUERY_TOO_LARGE"
    assert extensions["limit"] == "MAX_TOKENS"


def _body_of_size(size: int) -> bytes:
    """A JSON request body of exactly `size` bytes (the query padded with spaces)."""
    base = json.dumps({"query": VIEWER}).encode()
    padding = size - len(base)
    assert padding >= 0
    body = json.dumps({"query": VIEWER + " " * padding}).encode()
    assert len(body) == size
    return body


async def test_body_at_the_limit_is_answered(make_client: ClientFactory) -> None:
    client = await make_client(max_body_bytes=300)

    response = await client.post(
        "/graphql",
        data=_body_of_size(300),
        headers={**bearer(staff_token()), "Content-Type": "application/json"},
    )

    assert response.status == 200
    _answered(await response.json())


async def test_body_one_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = await make_client(max_body_bytes=300)

    response = await client.post(
        "/graphql",
        data=_body_of_size(301),
        headers={**bearer(staff_token()), "Content-Type": "application/json"},
    )

    assert response.status == 413
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body["errors"][0]["extensions"]["limit"] == "MAX_BODY_BYTES"
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_batch_is_refused_and_not_executed(client: TestClient[Any, Any], conn: Connection) -> None:
    batch = [
        {"query": CREATE_CARRIER, "variables": {"code": "BATCHA"}},
        {"query": CREATE_CARRIER, "variables": {"code": "BATCHB"}},
    ]

    response = await client.post("/graphql", json=batch, headers=bearer(staff_token()))

    assert response.status == 400
    body = await response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert await conn.fetchval("select count(*) from carriers where code like 'BATCH%'") == 0


async def test_the_same_mutation_alone_is_executed(client: TestClient[Any, Any], conn: Connection) -> None:
    # The control for the batch test: the mutation does create a carrier when it is sent on its own.
    body = await _post(client, CREATE_CARRIER, {"code": "BATCHC"})

    assert body == {"data": {"createCarrier": {"__typename": "CarrierPayload"}}}
    assert await conn.fetchval("select count(*) from carriers where code = 'BATCHC'") == 1


async def _introspect(client: TestClient[Any, Any], query: str, token: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=bearer(token))
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


@pytest.mark.parametrize("query", [SCHEMA_TYPES, ONE_TYPE])
async def test_introspection_off_is_refused_even_for_staff(make_client: ClientFactory, query: str) -> None:
    client = await make_client(introspection="off")

    body = await _introspect(client, query, staff_token())

    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_introspection_off_still_answers_typename(make_client: ClientFactory) -> None:
    client = await make_client(introspection="off")

    assert await _introspect(client, TYPENAME, staff_token()) == {"data": {"__typename": "Query"}}


async def test_introspection_for_staff_only(make_client: ClientFactory) -> None:
    client = await make_client(introspection="staff")

    for_staff = await _introspect(client, SCHEMA_TYPES, staff_token())
    for_admin = await _introspect(client, SCHEMA_TYPES, admin_token(subject="admin-introspect"))
    anonymous = await client.post("/graphql", json={"query": SCHEMA_TYPES})

    assert "errors" not in for_staff
    assert {"name": "Carrier"} in for_staff["data"]["__schema"]["types"]
    assert "data" not in for_admin
    assert for_admin["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    anonymous_body = await anonymous.json()
    assert "data" not in anonymous_body
    assert anonymous_body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_introspection_on_answers_everyone(client: TestClient[Any, Any]) -> None:
    body = await _introspect(client, SCHEMA_TYPES, admin_token(subject="admin-introspect"))

    assert "errors" not in body
    assert {"name": "Carrier"} in body["data"]["__schema"]["types"]


@pytest.mark.parametrize("query", MISSPELT)
async def test_suggestions_by_default(client: TestClient[Any, Any], query: str) -> None:
    body = await _introspect(client, query, staff_token())

    assert "data" not in body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("Did you mean" in error["message"] for error in body["errors"])


@pytest.mark.parametrize("query", MISSPELT)
async def test_no_suggestions_when_turned_off(make_client: ClientFactory, query: str) -> None:
    client = await make_client(field_suggestions=False)

    body = await _introspect(client, query, staff_token())

    assert "data" not in body
    assert {error["extensions"]["code"] for error in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "did you mean" not in json.dumps(body).lower()
