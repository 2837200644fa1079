"""A kept operation's selections (schema/selection.selected) are the variables' as well as the
document's: the same document object, run again and again with drawn page sizes for the carriers' keys
(which the prefetch reads from the selection), answers each time what a fresh parse of it answers on
graphql-core's own executor."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import DocumentNode, ExecutionResult, execute, parse
from hypothesis import strategies as st

from db.pool import Connection
from schema import selection
from tests.conftest import staff_context
from tests.drawn import drawn
from tests.schema.test_fast_path import FAST, NOW, PLAIN, settled, world

QUERY = """
query ($id: ID!, $first: Int!, $active: Int = 1, $yes: Boolean!) {
  organization(id: $id) {
    carriers(first: 10) {
      nodes {
        code
        keys: apiKeys(first: $first) { totalCount nodes { hint status } }
        active: apiKeys(filter: {status: ACTIVE}, first: $active) { nodes { hint } }
        enablements @include(if: $yes) { feature { key } effective }
      }
    }
  }
}
"""
# The keys of the world's carriers (tests/schema/test_fast_path.world), in code order.
KEYS = (3, 4, 0)
# (keys per carrier, active keys per carrier, enablements included)
VARIABLES = drawn(st.tuples(st.integers(1, 4), st.integers(1, 3), st.booleans()), 12)


async def run(schema: Any, document: DocumentNode, conn: Connection, variables: dict[str, Any]) -> Any:
    result: Any = execute(
        schema._schema,
        document,
        context_value=staff_context(conn, NOW),
        variable_values=variables,
        executor_class=schema.execution_context_class,
    )
    result = await result if not isinstance(result, ExecutionResult) else result
    await settled()
    assert result.errors is None, result.errors
    return result.data


async def test_a_kept_operation_answers_by_each_request_s_variables(conn: Connection) -> None:
    given = await world(conn)
    document = parse(QUERY)  # one object, as a kept document is
    for first, active, yes in VARIABLES:
        variables = {**given, "first": first, "active": active, "yes": yes}
        kept = await run(FAST, document, conn, variables)
        # a document parsed afresh, on graphql-core's own executor
        fresh = await run(PLAIN, parse(QUERY), conn, variables)
        assert orjson.dumps(kept) == orjson.dumps(fresh), variables
        assert [len(c["keys"]["nodes"]) for c in kept["organization"]["carriers"]["nodes"]] == [
            min(first, count) for count in KEYS
        ]
    # the kept operation's selections were converted once per place and variables, not per request
    assert any(operation is document.definitions[0] for operation, _ in selection._selected.values())
