"""Batched fields (schema/batched_fields.py): a list's items answered by one call per field, with the
same response and the same errors as the standard executor's one call per item, byte for byte."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import strawberry
from strawberry.types import Info

from access.principal import Scope, staff
from db import activity
from db.activity import Event, Origin
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema import batched_fields
from schema.build import build_schema
from schema.carrier import Carrier
from schema.fast_execution import batched_fields as find_batched_fields
from schema.fast_execution import execution_context_class, plain_fields
from tests import factories
from tests.conftest import staff_context

FAST = build_schema()
PLAIN = build_schema(fast=False)
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

NESTED = """
query ($id: ID!, $first: Int = 20) {
  organization(id: $id) {
    carriers(first: 10) {
      nodes {
        __typename code
        keys: apiKeys(first: $first) { totalCount nodes { hint status scopes expiresAt } }
        active: apiKeys(status: ACTIVE, first: 1) {
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


@pytest.mark.parametrize("query", [NESTED, EVERY, DEEPER], ids=["nested", "every", "deeper"])
async def test_a_list_with_batched_fields_answers_like_the_standard_executor(
    conn: Connection, query: str
) -> None:
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


# Errors raised in async work nested below two batched fields (each key's and each event's carrier,
# whose enablements the principal may not read).
NESTED_REFUSALS = """
query ($id: ID!) { organization(id: $id) { carriers(first: 10) { nodes { code
  apiKeys(first: 2) { nodes { hint carrier { code enablements { state } } } }
  activity(first: 2) { nodes { action carrier { code enablements { state } } } }
} } } }
"""


async def test_errors_nested_below_batched_fields_are_the_same_errors(conn: Connection) -> None:
    """The same data and the same errors; their order may differ (see schema/batched_fields.py)."""
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


async def test_each_batched_field_is_resolved_once_for_the_whole_list(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = await world(conn)
    calls: list[tuple[str, int]] = []

    def spy(name: str, batch: Any) -> Any:
        async def spied(items: Sequence[Any], info: Any, **arguments: Any) -> Any:
            calls.append((name, len(items)))
            return await batch(items, info, **arguments)

        return spied

    fields = Carrier.__strawberry_definition__.fields  # type: ignore[attr-defined]
    for field in (f for f in fields if f.python_name in ("api_keys", "enablements")):
        resolver = field.base_resolver.wrapped_func
        batch = batched_fields.batch_of(resolver)
        monkeypatch.setitem(batched_fields._BATCHES, resolver, spy(field.python_name, batch))
    spied_schema = build_schema()
    result = await spied_schema.execute(
        NESTED, variable_values=variables, context_value=staff_context(conn, NOW)
    )
    assert result.errors is None
    # Two aliases of apiKeys (each once), enablements once: three carriers each time.
    assert sorted(calls) == [("api_keys", 3), ("api_keys", 3), ("enablements", 3)]


# A tiny schema of its own for what the real data cannot reach: a batch that fails, that answers
# the wrong number of items, nulls in non-null fields, values that do not complete.
@strawberry.type
class Box:
    size: int


async def boxes(things: Sequence[Thing], info: Info, mode: str = "ok") -> list[Box | None]:
    if mode == "raise":
        raise ValueError("the batch failed")
    if mode == "short" and len(things) > 1:
        return [Box(size=1)]
    if mode == "null":
        return [None if thing.name == "b" else Box(size=1) for thing in things]
    if mode == "bad":
        return [Box(size="many") if thing.name == "b" else Box(size=1) for thing in things]  # type: ignore[arg-type]
    return [Box(size=len(thing.name)) for thing in things]


async def tardy_boxes(things: Sequence[Thing], info: Info, mode: str = "ok") -> list[Box | None]:
    """Answers a few event-loop turns later, as a second loader would."""
    for _ in range(3):
        await asyncio.sleep(0)
    return await boxes(things, info, mode)


@strawberry.type
class Thing:
    name: str

    @strawberry.field
    @batched_fields.batched(tardy_boxes)
    async def tardy_box(self, info: Info, mode: str = "ok") -> Box | None:
        (found,) = await tardy_boxes([self], info, mode)
        return found

    @strawberry.field
    @batched_fields.batched(boxes)
    async def box(self, info: Info, mode: str = "ok") -> Box:
        (found,) = await boxes([self], info, mode)
        return found  # type: ignore[return-value]

    @strawberry.field
    @batched_fields.batched(boxes)
    async def maybe_box(self, info: Info, mode: str = "ok") -> Box | None:
        (found,) = await boxes([self], info, mode)
        return found


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [Thing(name="a"), Thing(name="b"), Thing(name="c")]

    @strawberry.field
    def maybe_things(self) -> list[Thing | None] | None:
        return [Thing(name="a"), Thing(name="b"), Thing(name="c")]


EDGE_PLAIN = strawberry.Schema(query=Query)
EDGE_FAST = strawberry.Schema(query=Query)
EDGE_FAST.execution_context_class = execution_context_class(
    plain_fields(EDGE_FAST._schema), find_batched_fields(EDGE_FAST, {})
)
EDGE_CONTEXT = SimpleNamespace(principal=staff("edge", None, None))


@pytest.mark.parametrize("mode", ["ok", "raise", "short", "null", "bad"])
@pytest.mark.parametrize("field", ["things", "maybeThings"])
async def test_edges_answer_and_fail_like_the_standard_executor(mode: str, field: str) -> None:
    query = f'{{ {field} {{ name box(mode: "{mode}") {{ size }} maybeBox(mode: "{mode}") {{ size }} }} }}'
    fast = await EDGE_FAST.execute(query, context_value=EDGE_CONTEXT)
    plain = await EDGE_PLAIN.execute(query, context_value=EDGE_CONTEXT)
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]
    assert bool(fast.errors) == (mode in ("raise", "null", "bad"))


@pytest.mark.parametrize("mode", ["ok", "raise", "null", "bad"])
@pytest.mark.parametrize("field", ["things", "maybeThings"])
async def test_a_later_batch_finds_its_item_already_nulled_as_the_standard_path_does(
    mode: str, field: str
) -> None:
    # `box` fails at once for item "b" (non-null: the item is nulled); `tardyBox`, answered later,
    # must then add no error under that item.
    query = f'{{ {field} {{ name tardyBox(mode: "{mode}") {{ size }} box(mode: "{mode}") {{ size }} }} }}'
    fast = await EDGE_FAST.execute(query, context_value=EDGE_CONTEXT)
    plain = await EDGE_PLAIN.execute(query, context_value=EDGE_CONTEXT)
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]
