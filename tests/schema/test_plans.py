"""The fast executor's plans, kept per document: the benchmark's main query runs a kept plan (the
canary), a kept plan answers as graphql-core does, and no stream of documents grows the plans past
their bound: refused documents are never planned, distinct ones evict the oldest, and the variants of
one document's @skip/@include are bounded too."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis_graphql import queries

from bench.workloads import NESTED_QUERY
from db.pool import Connection
from fastgraph import plans as kept
from schema.build import FAST_PATH, build_schema
from tests.conftest import staff_context
from tests.drawn import drawn
from tests.schema.test_fast_path import settled, world

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
STANDARD = build_schema(fast=False)


async def test_the_main_nested_query_is_served_by_a_kept_plan(conn: Connection) -> None:
    """The canary: the benchmark's main query builds its plan once, and the next request runs it,
    with the same answer and the same SQL statements; each carrier's page of keys and its enablements
    are built from their rows, without a view object per key or enablement."""
    variables = {**await world(conn), "first": 50}
    schema = build_schema(fast=True)
    assert schema.plans is not None
    # The connection's first request also sends asyncpg's type introspection: not the plan's to count.
    await STANDARD.execute(NESTED_QUERY, variable_values=variables, context_value=staff_context(conn, NOW))
    answers, statements = [], []
    for _ in range(2):
        before = replace(FAST_PATH)
        sent: list[str] = []
        result = await schema.execute(
            NESTED_QUERY, variable_values=variables, context_value=staff_context(conn, NOW, statements=sent)
        )
        await settled()
        assert result.errors is None
        assert FAST_PATH.served == before.served + 1
        assert FAST_PATH.fell_back == before.fell_back
        assert result.data is not None
        carriers = result.data["organization"]["carriers"]["nodes"]
        assert carriers
        assert FAST_PATH.from_rows == before.from_rows + 2 * len(carriers)
        answers.append(orjson.dumps(result.data))
        statements.append(len(sent))
    assert FAST_PATH.planned == before.planned + 1  # the second request, from the first one's plan
    assert len(schema.plans) == 1
    assert answers[0] == answers[1]
    assert statements == [5, 5]  # as test_graph_statement_counts.py pins them


REFUSED = [
    "{ carriers(first: 10) { nodes { code } }",  # does not parse
    "{ carriers(first: 10) { nodes { nothing } } }",  # does not validate
    "{ carriers(first: 1000) { nodes { code } } }",  # a page out of range
    "{ organizations(first: 100) { nodes { carriers(first: 100) { nodes { apiKeys(first: 100) {"
    " nodes { hint } } } } } } }",  # over the cost limit
]


@pytest.mark.parametrize("document", REFUSED)
async def test_refused_documents_are_never_planned(conn: Connection, document: str) -> None:
    schema = build_schema(fast=True)
    assert schema.plans is not None
    result = await schema.execute(document, context_value=staff_context(conn, NOW))
    await settled()
    assert result.errors
    assert len(schema.plans) == 0
    assert all(not found.plans for found in schema.plans.documents.values())


async def test_mutations_are_not_planned(conn: Connection) -> None:
    schema = build_schema(fast=True)
    assert schema.plans is not None
    mutation = 'mutation { revokeApiKey(input: {id: "x", reason: "r"}) { __typename } }'
    result = await schema.execute(mutation, context_value=staff_context(conn, NOW))
    await settled()
    assert result.data == {"revokeApiKey": {"__typename": "NotFoundError"}}
    assert len(schema.plans) == 0
    assert not schema.plans.documents


# Distinct documents as a hostile client would send them: generated over the real schema.
DOCUMENTS = queries(STANDARD.as_str(), fields=["carriers", "features", "viewer"], allow_x00=False)


async def test_distinct_documents_do_not_grow_the_plans_past_their_bound(conn: Connection) -> None:
    await world(conn)
    schema = build_schema(fast=True)
    assert schema.plans is not None
    schema.plans.size = 5
    sizes = []
    for document in drawn(DOCUMENTS, 40):
        await schema.execute(str(document), context_value=staff_context(conn, NOW))
        await settled()
        sizes.append(len(schema.plans.documents))
    assert max(sizes) == 5
    assert len(schema.plans) <= 5 * kept.VARIANTS


CHOSEN = """
query ($a: Boolean!, $b: Boolean!, $c: Boolean!, $d: Boolean!) {
  viewer { kind name @include(if: $a) isStaff @skip(if: $b) }
  features { key @include(if: $c) name @skip(if: $d) }
}
"""


async def test_directive_variables_choose_among_a_bounded_number_of_plans(conn: Connection) -> None:
    """Each combination of @skip/@include values is a plan of its own, up to VARIANTS of them; the
    rest are built per request: every answer is graphql-core's."""
    await world(conn)
    schema = build_schema(fast=True)
    assert schema.plans is not None
    for _ in range(2):
        for values in itertools.product([True, False], repeat=4):
            variables = dict(zip("abcd", values, strict=True))
            answers = []
            for each in (schema, STANDARD):
                result = await each.execute(
                    CHOSEN, variable_values=variables, context_value=staff_context(conn, NOW)
                )
                await asyncio.sleep(0)
                answers.append((orjson.dumps(result.data), result.errors))
            assert answers[0] == answers[1], variables
    assert len(schema.plans) == kept.VARIANTS


async def test_a_kept_plan_reads_each_request_s_variables(conn: Connection) -> None:
    """Arguments that name variables are read per request, not kept with the plan."""
    await world(conn)
    schema = build_schema(fast=True)
    query = "query ($first: Int!) { carriers(first: $first) { nodes { code } } }"
    for first in (1, 3, 2):
        fast, standard = [
            await each.execute(
                query, variable_values={"first": first}, context_value=staff_context(conn, NOW)
            )
            for each in (schema, STANDARD)
        ]
        assert orjson.dumps(fast.data) == orjson.dumps(standard.data)
        assert fast.data is not None
        assert len(fast.data["carriers"]["nodes"]) == first


async def test_a_kept_plan_builds_nothing_more_on_later_requests(conn: Connection) -> None:
    """Every builder of a kept plan is made by the first request: later ones find them all (nothing
    rebuilt per request, and nothing added: a plan does not grow with its requests)."""
    variables = {**await world(conn), "first": 50}
    schema = build_schema(fast=True)
    assert schema.plans is not None
    sizes = []
    for _ in range(3):
        result = await schema.execute(
            NESTED_QUERY, variable_values=variables, context_value=staff_context(conn, NOW)
        )
        await settled()
        assert result.errors is None
        (document,) = schema.plans.documents.values()
        (plan,) = document.plans.values()
        sizes.append(len(plan.builders))
    assert sizes[0] > 1
    assert sizes == [sizes[0]] * 3
