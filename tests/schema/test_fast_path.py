"""The fast executor (fastgraph, with this schema's plain fields and its prefetching lists) answers
exactly what graphql-core's own executor answers: the same data byte for byte, the same errors. And the
main nested query is served by it (the canary): an upgrade that quietly sent every request down the
slow path would fail here, not in production."""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import strawberry
from graphql.execution import Executor

import fastgraph
from access.principal import Scope, staff
from bench.workloads import NESTED_QUERY
from db import activity
from db.activity import Event, Origin
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import FAST_PATH, build_schema
from schema.enforcement import field_rules
from schema.fast_path import plain_fields, row_reads
from tests import factories
from tests.conftest import staff_context

FAST = build_schema(fast=True)
PLAIN = build_schema(fast=False)
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

QUERIES = [
    # the main nested shape, with aliases, fragments, __typename and skip/include
    """
    query ($id: ID!, $yes: Boolean = true) {
      organization(id: $id) {
        __typename name
        carriers(first: 10) {
          totalCount
          edges { cursor node { code ...Keys enablements { ...On feature { key k2: key } } } }
          nodes { code nick: name skipped: name @skip(if: true) included: name @include(if: $yes) }
        }
      }
    }
    fragment Keys on Carrier {
      apiKeys(first: 20) { nodes { __typename hint status scopes ipAllowlist expiresAt revokedAt
        revocationReason createdBy { kind id name } revokedBy { kind name } lastUsedAt version
        ... on ApiKey { description } } }
    }
    fragment On on Enablement { state effective source updatedAt updatedBy { kind } }
    """,
    # interfaces and abstract types go the standard way, inside and outside lists
    "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ...on Carrier { code } ...on ApiKey { hint }}}",
    # the viewer (resolver-free leaves next to resolver fields)
    "{ viewer { kind name isStaff scopes canUseRestrictedFunctions } features { key name } }",
]


async def keys_world(conn: Connection) -> dict[str, Any]:
    organization = await factories.organization(conn, "Fast Group")
    feature = await factories.feature(conn, "fast.feature", default=True)
    await factories.feature(conn, "fast.other")
    carriers = [await factories.carrier(conn, f"FST{n}", organization_id=organization) for n in range(3)]
    await factories.set_carrier_enablement(conn, carriers[0], feature, False)
    await factories.set_organization_enablement(conn, organization, feature, True)
    keys = []
    for n, carrier in enumerate(carriers):
        keys.append((await factories.api_key(conn, carrier, allowlist=["10.0.0.0/8", "2001:db8::/32"]))[0])
        expired = await factories.api_key(
            conn,
            carrier,
            revoked=True,
            created_at=NOW - timedelta(days=30),
            expires_at=NOW - timedelta(days=n),
        )
        keys.append(expired[0])
    return {
        "id": to_global_id("Organization", organization),
        "ids": [to_global_id("Carrier", carriers[0]), to_global_id("ApiKey", keys[1]), "garbage"],
    }


NESTED = """
query ($id: ID!, $first: Int = 20) {
  organization(id: $id) {
    carriers(first: 10) {
      nodes {
        __typename code
        keys: apiKeys(first: $first) { totalCount nodes { hint status scopes expiresAt } }
        active: apiKeys(filter: {status: ACTIVE}, first: 1) {
          totalCount pageInfo { hasNextPage endCursor } edges { cursor node { hint } }
        }
        ...Settings
      }
    }
  }
}
fragment Settings on Carrier {
  enablements { feature { key } state effective source updatedAt updatedBy { kind id name } }
}
"""

# Every batched field of a carrier, and a carrier in no organization.
EVERY = """
query ($id: ID!) {
  organization(id: $id) {
    carriers(first: 10) {
      nodes {
        code organization { name } activity(first: 2) { totalCount nodes { action } }
        apiKeys(first: 1) { totalCount } enablements { state }
      }
    }
  }
  carriers(first: 50) { nodes { code organization { name } } }
}
"""

# A key's carrier is an async field: completing a page of keys returns awaitables.
DEEPER = """
query ($id: ID!) {
  organization(id: $id) {
    carriers(first: 10) { nodes { code apiKeys(first: 2) { nodes { hint carrier { code } } } } }
  }
}
"""


async def world(conn: Connection) -> dict[str, Any]:
    organization = await factories.organization(conn, "Batch Group")
    feature = await factories.feature(conn, "batch.feature", default=True)
    await factories.feature(conn, "batch.other")
    carriers = [await factories.carrier(conn, f"BAT{n}", organization_id=organization) for n in range(3)]
    await factories.carrier(conn, "BATNONE")
    origin = Origin(staff("batch-test", "Batch Test", None), "t", None)
    for n, carrier in enumerate(carriers):
        for _ in range(n):
            await activity.record(
                conn, origin=origin, event=Event(action="carrier.update", carrier_id=carrier)
            )
    await factories.set_carrier_enablement(conn, carriers[0], feature, False)
    await factories.set_organization_enablement(conn, organization, feature, True)
    for n, carrier in enumerate(carriers[:2]):
        for _ in range(n + 2):
            await factories.api_key(conn, carrier)
        await factories.api_key(conn, carrier, revoked=True)
    return {"id": to_global_id("Organization", organization)}


async def both(conn: Connection, query: str, variables: dict[str, Any], **context: Any) -> Any:
    """Execute on the fast and the standard executor; assert they agree byte for byte."""
    fast = await FAST.execute(
        query, variable_values=variables, context_value=staff_context(conn, NOW, **context)
    )
    await settled()
    plain = await PLAIN.execute(
        query, variable_values=variables, context_value=staff_context(conn, NOW, **context)
    )
    await settled()
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]
    return fast


async def settled() -> None:
    """Wait for what an execution left running: when an error nulls the response early, a loader's
    batch still reads on (both executors answer without waiting for it), on the test's one connection."""
    async with asyncio.timeout(5):
        while len(asyncio.all_tasks()) > 1:  # noqa: ASYNC110 - other tasks, not an event, are awaited
            await asyncio.sleep(0.001)


@pytest.mark.parametrize("query", QUERIES, ids=["nested", "abstract", "viewer"])
async def test_plain_objects_answer_byte_for_byte_like_the_standard_executor(
    conn: Connection, query: str
) -> None:
    result = await both(conn, query, await keys_world(conn))
    assert result.errors is None, result.errors


@pytest.mark.parametrize("query", [NESTED, EVERY, DEEPER], ids=["nested", "every", "deeper"])
async def test_prefetched_lists_answer_like_the_standard_executor(conn: Connection, query: str) -> None:
    result = await both(conn, query, await world(conn))
    assert result.errors is None
    carriers = result.data["organization"]["carriers"]["nodes"]
    if query is EVERY:
        assert {c["organization"]["name"] for c in carriers} == {"Batch Group"}
        assert [c["activity"]["totalCount"] for c in carriers] == [0, 1, 2]
        assert None in [c["organization"] for c in result.data["carriers"]["nodes"]]
    else:
        assert [len(c.get("keys", c.get("apiKeys"))["nodes"]) for c in carriers] == (
            [3, 4, 0] if query is NESTED else [2, 2, 0]
        )


@pytest.mark.parametrize("first", [-1, 100_000])
async def test_bad_page_arguments_refuse_the_whole_operation(conn: Connection, first: int) -> None:
    variables = await world(conn) | {"first": first}
    result = await both(conn, NESTED, variables)
    # Priced before execution (schema/limits.py): nothing runs, on either path.
    assert result.data is None
    assert [(e.path, e.extensions["code"]) for e in result.errors or []] == [(None, "BAD_USER_INPUT")]


async def test_a_missing_scope_is_refused_for_every_item_as_the_guard_refuses_it(conn: Connection) -> None:
    variables = await world(conn)
    principal = replace(staff("schema-test", "Schema Test", None), scopes=frozenset({Scope.CARRIER_READ}))
    result = await both(conn, NESTED, variables, principal=principal)
    assert result.errors
    assert {e.extensions["code"] for e in result.errors} == {"FORBIDDEN"}


# Errors raised in async work nested below two prefetched fields (each key's and each event's carrier,
# whose enablements the principal may not read).
NESTED_REFUSALS = """
query ($id: ID!) { organization(id: $id) { carriers(first: 10) { nodes { code
  apiKeys(first: 2) { nodes { hint carrier { code enablements { state } } } }
  activity(first: 2) { nodes { action carrier { code enablements { state } } } }
} } } }
"""


async def test_errors_nested_below_prefetched_fields_are_the_same_errors(conn: Connection) -> None:
    """The same data and the same errors (the fast executor hands such an operation to the standard one)."""
    variables = await world(conn)
    principal = replace(
        staff("schema-test", "Schema Test", None),
        scopes=frozenset({Scope.CARRIER_READ, Scope.KEYS_READ, Scope.ACTIVITY_READ}),
    )
    results = []
    for schema in (FAST, PLAIN):
        context = staff_context(conn, NOW, principal=principal)
        results.append(
            await schema.execute(NESTED_REFUSALS, variable_values=variables, context_value=context)
        )
        await settled()
    fast, plain = results
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert sorted(map(repr, (e.formatted for e in fast.errors or []))) == sorted(
        map(repr, (e.formatted for e in plain.errors or []))
    )
    assert len(fast.errors or []) == 7  # keys: 2 + 2 (carriers 0, 1); events: 1 + 2 (carriers 1, 2)


# A bad cursor fails the first list (its activity loads are cancelled with it); the alias reads the
# same carriers' activity again, through each key's carrier.
CANCELLED_THEN_READ = """
query ($id: ID!) {
  organization(id: $id) {
    carriers(first: 10) {
      nodes { code activity(first: 1) { totalCount } apiKeys(first: 1, after: "bad") { totalCount } }
    }
  }
  again: organization(id: $id) {
    carriers(first: 10) {
      nodes { apiKeys(first: 1) { nodes { carrier { code activity(first: 1) { totalCount } } } } }
    }
  }
}
"""


@pytest.mark.parametrize("schema", [FAST, PLAIN], ids=["fast", "standard"])
async def test_a_load_cancelled_by_a_failed_field_is_read_again_later(
    conn: Connection, schema: strawberry.Schema
) -> None:
    variables = await world(conn)
    result = await schema.execute(
        CANCELLED_THEN_READ, variable_values=variables, context_value=staff_context(conn, NOW)
    )
    await settled()
    assert result.data is not None
    assert result.data["organization"] is None
    assert {(e.extensions or {}).get("code") for e in result.errors or []} == {"BAD_USER_INPUT"}
    again = result.data["again"]["carriers"]["nodes"]
    assert [n["apiKeys"]["nodes"][0]["carrier"]["activity"]["totalCount"] for n in again[:2]] == [0, 1]


async def test_the_main_nested_query_is_served_by_the_fast_executor(conn: Connection) -> None:
    """The canary: the benchmark's main query, answered without falling back."""
    variables = await world(conn)
    before = replace(FAST_PATH)
    schema = build_schema(fast=True)
    result = await schema.execute(
        NESTED_QUERY,
        variable_values={**variables, "first": 50},
        context_value=staff_context(conn, NOW),
    )
    assert result.errors is None
    assert FAST_PATH.served == before.served + 1
    assert FAST_PATH.fell_back == before.fell_back
    assert FAST_PATH.not_eligible == before.not_eligible


async def test_a_served_operation_leaves_nothing_for_the_cyclic_collector(conn: Connection) -> None:
    """A request's objects go with it, by reference counting: none is left in a reference cycle for
    the cyclic collector, whose young collections of what piled up (~90,000 objects every 2 s under
    load, 90 to 170 ms each) were the small query's p99."""
    variables = {**await world(conn), "first": 50}
    for _ in range(2):  # plans, caches and prepared statements made once, outside the measurement
        await FAST.execute(NESTED_QUERY, variable_values=variables, context_value=staff_context(conn, NOW))
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        context = staff_context(conn, NOW)
        result = await FAST.execute(NESTED_QUERY, variable_values=variables, context_value=context)
        context.release()  # as the server does once the response is built
        del context
        gc.collect()
        left = Counter(type(thing).__qualname__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert result.errors is None
    assert not left, left.most_common(10)


async def test_an_operation_that_falls_back_records_the_refusals_the_standard_executor_does(
    conn: Connection,
) -> None:
    """The standard executor runs resolvers again: refusals are kept by response path, not counted twice."""
    variables = await world(conn)
    principal = replace(staff("schema-test", "Schema Test", None), scopes=frozenset({Scope.CARRIER_READ}))
    contexts = [staff_context(conn, NOW, principal=principal) for _ in range(2)]
    before = replace(FAST_PATH)
    for schema, context in zip((FAST, PLAIN), contexts, strict=True):
        result = await schema.execute(NESTED, variable_values=variables, context_value=context)
        await settled()
        assert result.errors
    assert FAST_PATH.fell_back == before.fell_back + 1
    fast, standard = contexts
    assert fast.scope_refusals == standard.scope_refusals
    assert set(fast.scope_refusals.values()) == {"Carrier.apiKeys"}


def test_a_field_declared_as_a_row_read_is_read_as_its_chain() -> None:
    """A field declared with `reads("row.<column>")` is read as that chain (no call per object); a
    method that does anything more is called, as before."""
    plain = plain_fields(PLAIN, field_rules(PLAIN))
    assert plain[("ApiKey", "hint")] == "row.hint"
    assert plain[("ApiKey", "expiresAt")] == "row.expires_at"
    assert plain[("Feature", "key")] == "row.key"
    assert callable(plain[("Enablement", "state")])  # a conversion, not a read
    assert callable(plain[("ApiKey", "scopes")])


def test_a_row_read_of_a_records_column_is_read_by_subscript() -> None:
    """Rows that are asyncpg records (a page of keys, an owner's enablements) are read by subscript
    where the read names one of their columns; a method or property of the row stays an attribute."""
    reads = row_reads(PLAIN, field_rules(PLAIN))
    assert reads[("ApiKey", "hint")].item
    assert reads[("ApiKey", "expiresAt")].item
    assert not reads[("ApiKey", "status")].item  # a method of the row
    assert reads[("Enablement", "feature")].item
    assert reads[("Enablement", "effective")].item
    assert not any(read.item for (type_name, _), read in reads.items() if type_name == "Feature")
    with pytest.raises(ValueError, match="one name"):
        fastgraph.RowRead("row.hint", item=True)


def test_only_attribute_names_are_written_into_a_builder() -> None:
    with pytest.raises(ValueError, match="not an attribute name"):
        fastgraph.executor_class(Executor, {("T", "f"): "row.hint; import os"})
