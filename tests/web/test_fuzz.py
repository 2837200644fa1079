"""Fuzzing the real app with operations generated from the printed schema (hypothesis-graphql).

Whatever a valid operation asks for, with whatever argument values, the answer is never a 500 and never
an INTERNAL_SERVER_ERROR: bad input is the caller's error, with its own code.

Hypothesis drives a synchronous function, so the documents are drawn first (deterministically:
`derandomize=True`, no example database) and then posted through the app from the async test, each in a
savepoint rolled back afterwards so that one document's effects (or failure) cannot touch the next.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import graphql
from aiohttp.test_utils import TestClient
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from db.pool import Connection
from schema.build import schema
from tests import factories
from tests.drawn import drawn
from tests.factories import bearer, staff_token

SDL = schema.as_str()
EXAMPLES = 60

DATE_TIMES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: nodes.String(moment.isoformat())),
    st.text(max_size=12).map(nodes.String),
)
JSON_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.text(max_size=12).map(nodes.String),
    st.booleans().map(nodes.Boolean),
)
CUSTOM_SCALARS = {"DateTime": DATE_TIMES, "JSON": JSON_VALUES}


async def _seed(conn: Connection) -> None:
    """Something for the generated selections to walk through."""
    organization_id = await factories.organization(conn, "Fuzz Holdings")
    carrier_id = await factories.carrier(conn, "FUZZA", organization_id=organization_id)
    await factories.carrier(conn, "FUZZB")
    feature_id = await factories.feature(conn, "fuzz.feature")
    await factories.set_carrier_enablement(conn, carrier_id, feature_id, True)
    await factories.set_organization_enablement(conn, organization_id, feature_id, False)
    await factories.api_key(conn, carrier_id, scopes=("carrier:read", "keys:read"))


def _internal_errors(status: int, body: Any) -> bool:
    if status >= 500:
        return True
    errors = body.get("errors", []) if isinstance(body, dict) else []
    return any((error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for error in errors)


async def _post_all(
    client: TestClient[Any, Any], conn: Connection, documents: list[str]
) -> list[tuple[str, int, str]]:
    failures: list[tuple[str, int, str]] = []
    token = staff_token()
    for document in documents:
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            response = await client.post("/graphql", json={"query": document}, headers=bearer(token))
            text = await response.text()
        finally:
            await savepoint.rollback()
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = None
        if _internal_errors(response.status, body):
            failures.append((document, response.status, text[:500]))
    return failures


def _report(failures: list[tuple[str, int, str]]) -> str:
    return f"{len(failures)} operations failed; the first ones:\n" + "\n\n".join(
        f"--- {status}\n{document}\n=> {text}" for document, status, text in failures[:3]
    )


async def test_generated_queries_never_fail_internally(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    await _seed(conn)
    documents = drawn(queries(SDL, custom_scalars=CUSTOM_SCALARS), EXAMPLES)
    assert len(documents) >= EXAMPLES // 2

    failures = await _post_all(client, conn, documents)

    assert not failures, _report(failures)


async def test_generated_mutations_never_fail_internally(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    await _seed(conn)
    documents = drawn(mutations(SDL, custom_scalars=CUSTOM_SCALARS), EXAMPLES)
    assert len(documents) >= EXAMPLES // 2

    failures = await _post_all(client, conn, documents)

    assert not failures, _report(failures)
