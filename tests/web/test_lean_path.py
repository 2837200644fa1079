"""The lean HTTP path (web/lean.py): the benchmark's main query is served by it (the canary), with the
view's answer and statements; what it cannot answer as the view would goes to the view; and what it
keeps is bounded and only ever what the view has answered."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient
from graphql import parse

from bench.workloads import NESTED_QUERY
from db.pool import Connection
from schema.build import build_schema
from schema.limits import priced_variables
from tests.conftest import ClientFactory, make_settings, staff_context
from tests.factories import admin_token, bearer, staff_token
from tests.schema.test_fast_path import NOW, settled, world
from web.lean import LeanPath
from web.lean_counters import LEAN

STAFF = {**bearer(staff_token()), "X-Request-Id": "lean-test"}


async def _post(client: TestClient[Any, Any], body: dict[str, Any]) -> tuple[int, bytes]:
    response = await client.post("/graphql", json=body, headers=STAFF)
    return response.status, await response.read()


def _statements(caplog: pytest.LogCaptureFixture) -> list[int]:
    records = [r for r in caplog.records if r.name == "carrier_admin.graphql"]
    return [r.sql_statements for r in records]  # type: ignore[attr-defined]


async def test_the_main_benchmark_query_is_served_by_the_lean_path(
    conn: Connection, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The canary: the benchmark's main request, once its document has been answered, is the lean
    path's, with the view's bytes and the same 5 statements."""
    variables = {**await world(conn), "first": 50, "after": None}
    body = {"query": NESTED_QUERY, "operationName": "OrganizationCarriers", "variables": variables}
    view = await make_client(fast_path=True, lean_path=False)
    lean = await make_client(fast_path=True)
    # asyncpg reads type information on the connection's first use: not part of any request's count.
    await _post(view, body)
    caplog.set_level(logging.INFO, logger="carrier_admin.graphql")

    answers = [await _post(view, body)]
    for _ in range(2):  # the first admits the document, the second is the lean path's
        before = replace(LEAN)
        answers.append(await _post(lean, body))
    assert LEAN.served == before.served + 1
    assert LEAN.handed == before.handed

    assert answers[0][0] == 200
    assert orjson.loads(answers[0][1])["data"]["organization"]["carriers"]["nodes"]
    assert answers[2] == answers[0] == answers[1]
    assert _statements(caplog) == [5, 5, 5]  # as test_graph_statement_counts.py pins them


CARRIER = "query Carrier($code: String!) { carrier(code: $code) { code name } }"
PAGE = "query Page($first: Int!) { carriers(first: $first) { nodes { code } } }"


@pytest.mark.parametrize(
    ("query", "good", "bad", "outcome"),
    [
        # Variables that do not coerce, and a page out of range: refused before anything runs.
        pytest.param(CARRIER, {"code": "LEAN1"}, {"code": 7}, "passed", id="variables"),
        pytest.param(PAGE, {"first": 2}, {"first": 10_000}, "passed", id="price"),
        # An error met while running: the view answers it (with the same context).
        pytest.param(CARRIER, {"code": "LEAN1"}, {"code": "x" * 300}, "handed", id="error"),
    ],
)
async def test_what_the_lean_path_cannot_answer_the_view_answers(
    conn: Connection,
    make_client: ClientFactory,
    query: str,
    good: dict[str, Any],
    bad: dict[str, Any],
    outcome: str,
) -> None:
    view = await make_client(fast_path=True, lean_path=False)
    lean = await make_client(fast_path=True)
    await _post(lean, {"query": query, "variables": good})  # admitted
    body = {"query": query, "variables": bad}
    expected = await _post(view, body)
    before = replace(LEAN)

    answer = await _post(lean, body)

    assert answer == expected
    assert b'"errors"' in answer[1]
    assert getattr(LEAN, outcome) == getattr(before, outcome) + 1
    assert LEAN.served == before.served


async def test_mutations_and_gets_are_the_views(conn: Connection, make_client: ClientFactory) -> None:
    lean = await make_client(fast_path=True)
    viewer = {"query": "query V { viewer { kind } }"}
    await _post(lean, viewer)
    before = replace(LEAN)

    response = await lean.get("/graphql", params=viewer, headers=STAFF)
    assert response.status == 200
    assert replace(LEAN, passed=before.passed) == before  # GET is the view's (passed at once)
    mutation = 'mutation { createCarrier(input: {code: "LEANM", name: "Lean M"}) { __typename } }'
    for _ in range(2):
        await _post(lean, {"query": mutation})
    assert LEAN.served == before.served
    assert LEAN.passed == before.passed + 3


async def test_only_answered_queries_are_kept_and_no_more_than_its_size(conn: Connection) -> None:
    schema = build_schema(fast=True)
    lean = LeanPath(schema, make_settings(), size=2)
    principal = staff_context(conn, NOW).principal
    documents = [f"query Q{n} {{ viewer {{ kind }} }}" for n in range(3)]
    for document in documents:
        await schema.execute(document, context_value=staff_context(conn, NOW))
        await settled()
        await lean.admit(document, None, principal)
    await lean.admit("mutation { __typename }", None, principal)

    assert len(lean) == 2
    assert [key[0] for key in lean.entries] == documents[1:]  # the least recently used went first
    # A document fastgraph has not run from a plan (this one never ran at all) is not kept.
    await lean.admit("query Never { viewer { id } }", None, principal)
    assert [key[0] for key in lean.entries] == documents[1:]


def test_a_price_is_kept_by_the_variables_it_reads_and_no_others() -> None:
    document = parse(
        "query Q($a: Int, $b: Int, $ids: [ID!]!, $one: ID!, $code: String) {"
        " carriers(first: $a) { nodes { code ...K } } nodes(ids: $ids) { id }"
        " more: nodes(ids: [$one]) { id } carrier(code: $code) { code } }"
        " fragment K on Carrier { apiKeys(last: $b) { totalCount } }"
    )

    assert priced_variables(document) == ("a", "b", "ids", "one")


async def test_a_document_is_kept_for_the_validation_it_passed(make_client: ClientFactory) -> None:
    """Introspection for staff only: staff's admitted document is not an administrator's to run."""
    introspection = {"query": "query I { __schema { queryType { name } } }"}
    view = await make_client(fast_path=True, lean_path=False, introspection="staff")
    lean = await make_client(fast_path=True, introspection="staff")
    admin = {**bearer(admin_token()), "X-Request-Id": "lean-test"}
    for _ in range(2):
        assert (await _post(lean, introspection))[0] == 200

    response = await lean.post("/graphql", json=introspection, headers=admin)
    expected = await view.post("/graphql", json=introspection, headers=admin)

    body = await response.read()
    assert (response.status, body) == (expected.status, await expected.read())
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("accept", ["text/event-stream", "Text/Event-Stream", "multipart/mixed"])
async def test_a_request_for_a_stream_is_the_views(make_client: ClientFactory, accept: str) -> None:
    lean = await make_client(fast_path=True)
    viewer = {"query": "query V { viewer { kind } }"}
    await _post(lean, viewer)
    before = replace(LEAN)

    response = await lean.post("/graphql", json=viewer, headers={**STAFF, "Accept": accept})
    await response.read()

    assert LEAN.served == before.served
    assert LEAN.passed == before.passed + 1
