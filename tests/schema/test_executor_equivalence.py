"""Both executors give the same response to generated queries over the real schema and data: the fast
one (fastgraph, with plain fields and prefetching lists), on the request that builds a document's plan
and on the next one that runs it as kept, each also as an HTTP request's (whose data orjson writes, left
its datetimes: a plan of its own), and graphql-core's own. Data byte for byte,
errors the same (as a set: two runs of graphql-core may list errors of concurrent loads in another
order), for staff and for an API key whose scopes refuse parts of what is asked. And over HTTP, the
lean path (web/lean.py) answers as Strawberry's view does: status, headers and body bytes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import graphql
import orjson
import pytest
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from access.principal import Principal, Scope, staff
from db.pool import Connection
from schema.build import FAST_PATH, build_schema
from tests.conftest import ClientFactory, staff_context
from tests.drawn import drawn
from tests.schema.test_access_matrix import build_world
from web.lean_counters import LEAN

FAST = build_schema(fast=True)
STANDARD = build_schema(fast=False)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# Root fields whose answers walk the world's graph (the rest take ids that generated text rarely hits).
ROOTS = ["carriers", "organizations", "apiKeys", "activity", "viewer", "features", "apiKeyPolicy"]
DATE_TIMES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: nodes.String(moment.isoformat())),
    st.text(max_size=8).map(nodes.String),
)
DATES: st.SearchStrategy[graphql.ValueNode] = st.dates().map(lambda day: nodes.String(day.isoformat()))
JSON_VALUES: st.SearchStrategy[graphql.ValueNode] = st.integers(0, 9).map(nodes.Int)
SCALARS = {"DateTime": DATE_TIMES, "Date": DATES, "JSON": JSON_VALUES}
# Half of them walk down from the lists of carriers and organizations, where the graph is deepest.
DOCUMENTS = st.one_of(
    queries(FAST.as_str(), fields=ROOTS, custom_scalars=SCALARS, allow_x00=False),
    queries(FAST.as_str(), fields=["carriers", "organizations"], custom_scalars=SCALARS, allow_x00=False),
)
EXAMPLES = 150

STAFF = staff("equivalence", "Equivalence", None)
# Reads carriers and keys, not enablements or activity: parts of a walk are refused.
PARTIAL = replace(STAFF, scopes=frozenset({Scope.CARRIER_READ, Scope.KEYS_READ}))


def _errors(result: Any) -> list[str]:
    return sorted(json.dumps(error.formatted, sort_keys=True) for error in result.errors or [])


async def _settled() -> None:
    async with asyncio.timeout(5):
        while len(asyncio.all_tasks()) > 1:  # noqa: ASYNC110 - other tasks, not an event, are awaited
            await asyncio.sleep(0.001)


@pytest.mark.parametrize("principal", [STAFF, PARTIAL], ids=["staff", "partial scopes"])
async def test_generated_queries_get_the_same_answer_from_both_executors(
    conn: Connection, principal: Principal
) -> None:
    await build_world(conn)
    differences, needless_fallbacks, served, planned = [], [], 0, 0
    for document in drawn(DOCUMENTS, EXAMPLES):
        before = replace(FAST_PATH)
        answers = []
        # For each writer the first builds the plan, the second runs it as kept; then graphql-core.
        for schema, json_writer in [
            (FAST, False),
            (FAST, False),
            (FAST, True),
            (FAST, True),
            (STANDARD, False),
        ]:
            context = staff_context(conn, NOW, principal=principal, json_writer=json_writer)
            answers.append(await schema.execute(str(document), context_value=context))
            await _settled()
        *fast_ones, standard = answers
        for fast in fast_ones:
            if orjson.dumps(fast.data) != orjson.dumps(standard.data) or _errors(fast) != _errors(standard):
                differences.append((document, fast, standard))
        if FAST_PATH.fell_back > before.fell_back and not standard.errors:
            needless_fallbacks.append(document)
        served += FAST_PATH.served - before.served
        planned += FAST_PATH.planned - before.planned
    assert differences == []
    # The fast path hands an operation back only for an error, never for what it could have answered.
    assert needless_fallbacks == []
    assert served > EXAMPLES // 10
    assert planned > EXAMPLES // 20


HTTP_EXAMPLES = 60
# What a client reads of an answer besides its body: these must be the same from both paths.
HEADERS = ("Content-Type", "Cache-Control", "Vary", "Content-Encoding", "X-Request-Id", "WWW-Authenticate")


@pytest.mark.parametrize("caller", ["staff", "admin:O", "key:carrier:read"])
async def test_generated_queries_get_the_same_http_answer_from_the_lean_path_and_the_view(
    conn: Connection, make_client: ClientFactory, caller: str
) -> None:
    """Over HTTP, on the fast executor: the view's answer, and the lean path's (a document's second
    request, once the first has been answered), the same in status, headers and body bytes."""
    world = await build_world(conn)
    view = await make_client(fast_path=True, lean_path=False)
    lean = await make_client(fast_path=True, lean_path=True)
    headers = {**world.headers(caller), "Accept": "application/graphql-response+json, application/json"}
    differences, before = [], replace(LEAN)
    for number, document in enumerate(drawn(DOCUMENTS, HTTP_EXAMPLES)):
        body = {"query": str(document)}
        request_headers = {**headers, "X-Request-Id": f"equivalence-{number}"}
        answers = []
        for client in (lean, view, lean):  # the lean app's first answer admits the document
            response = await client.post("/graphql", json=body, headers=request_headers)
            answers.append(
                (response.status, [response.headers.get(h) for h in HEADERS], await response.read())
            )
        _, from_view, from_lean = answers
        if from_lean != from_view:
            differences.append((document, from_view, from_lean))
    assert differences == []
    # The lean path answered some of them (the rest had errors, which a key's scopes make many of, or
    # were not planned): the comparison is not of the view with itself.
    assert LEAN.served - before.served > HTTP_EXAMPLES // 20
