"""The fast path for plain objects answers exactly what Strawberry's own executor answers, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
import strawberry

from context import Context
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import build_schema
from schema.fast_execution import execution_context_class, plain_fields
from tests import factories
from tests.conftest import staff_context

FAST = build_schema()
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


def context(conn: Connection) -> Context:
    return staff_context(conn, NOW)


async def world(conn: Connection) -> dict[str, Any]:
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


@pytest.mark.parametrize("query", QUERIES, ids=["nested", "abstract", "viewer"])
async def test_the_fast_path_answers_byte_for_byte_like_the_standard_executor(
    conn: Connection, query: str
) -> None:
    variables = await world(conn)
    fast = await FAST.execute(query, variable_values=variables, context_value=context(conn))
    plain = await PLAIN.execute(query, variable_values=variables, context_value=context(conn))
    assert fast.errors is None, fast.errors
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)


# A tiny schema of its own for the edges the real data cannot reach: nulls in non-null fields,
# values that do not serialize, nested plain objects of the wrong type.
@strawberry.type
class Item:
    name: str
    size: int
    tags: list[str]
    maybe: list[str | None] | None = None
    grid: list[list[int]] | None = None


@strawberry.type
class Moment:
    at: datetime


MOMENTS = [
    datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 12, 0, 1, 5, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(2026, 11, 26, 12, 0, 1, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 11, 26, 12, 0, tzinfo=timezone(timedelta(seconds=5))),
    datetime(2026, 11, 26, 12, 0),
]


@strawberry.type
class Broken:
    items: list[Item]


@strawberry.type
class Query:
    @strawberry.field
    def good(self) -> list[Item]:
        return [Item(name="a", size=1, tags=["x"]), Item(name="b", size=2, tags=[])]

    @strawberry.field
    def null_in_non_null(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[]), Item(name=None, size=2, tags=[])]  # type: ignore[arg-type]

    @strawberry.field
    def not_an_int(self) -> list[Item]:
        return [Item(name="a", size="many", tags=[])]  # type: ignore[arg-type]

    @strawberry.field
    def not_a_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags="x")]  # type: ignore[arg-type]

    @strawberry.field
    def nested_lists(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[], maybe=["x", None], grid=[[1, 2], [], [3]])]

    @strawberry.field
    def tuple_not_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags=("x", "y"), maybe=("z", None))]  # type: ignore[arg-type]

    @strawberry.field
    def moments(self) -> list[Moment]:
        return [Moment(at=at) for at in MOMENTS]

    @strawberry.field
    def null_in_plain_list(self) -> Broken:
        return Broken(items=[Item(name="a", size=1, tags=[]), None])  # type: ignore[list-item]

    @strawberry.field
    def null_item(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[]), None]  # type: ignore[list-item]

    @strawberry.field
    def null_in_nested_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[], grid=[[1, None]])]  # type: ignore[list-item]


EDGE_PLAIN = strawberry.Schema(query=Query)
EDGE_FAST = strawberry.Schema(query=Query)
EDGE_FAST.execution_context_class = execution_context_class(plain_fields(EDGE_FAST._schema))


@pytest.mark.parametrize(
    "field",
    [
        "good",
        "nullInNonNull",
        "notAnInt",
        "notAList",
        "nestedLists",
        "tupleNotList",
        "nullInNestedList",
        "nullItem",
    ],
)
async def test_edges_fall_back_to_the_same_errors(field: str) -> None:
    query = f"{{ {field} {{ __typename name size tags maybe grid }} t: {field} {{ __typename }} }}"
    fast = await EDGE_FAST.execute(query)
    plain = await EDGE_PLAIN.execute(query)
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]


@pytest.mark.parametrize("selection", ["__typename", "name"])
async def test_a_null_in_a_plain_objects_list_falls_back_to_the_same_error(selection: str) -> None:
    query = f"{{ nullInPlainList {{ items {{ {selection} }} }} }}"
    fast = await EDGE_FAST.execute(query)
    plain = await EDGE_PLAIN.execute(query)
    assert orjson.dumps(fast.data) == orjson.dumps(plain.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in plain.errors or []]
    assert plain.errors


async def test_dates_read_as_isoformat_writes_them_in_any_zone() -> None:
    fast = await EDGE_FAST.execute("{ moments { at } }")
    plain = await EDGE_PLAIN.execute("{ moments { at } }")
    assert fast.data == plain.data == {"moments": [{"at": at.isoformat()} for at in MOMENTS]}
