"""Enablements read who changed a setting, and when, only for a query that selects it, and answer the same.

schema/enablement.py names the fields that need no updated_* column; any other field (updatedAt,
updatedBy, one added later) reads them. These tests ask for each field on its own, for carriers and
organizations, and compare with every field selected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLObjectType

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from tests import factories
from tests.conftest import staff_context

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
_ENABLEMENT = schema._schema.type_map["Enablement"]
assert isinstance(_ENABLEMENT, GraphQLObjectType)
ENABLEMENT_FIELDS = list(_ENABLEMENT.fields)
SUBSELECTION = {"feature": "{ key name }", "updatedBy": "{ kind id name }"}
EVERY_FIELD = " ".join(f"{name} {SUBSELECTION.get(name, '')}" for name in ENABLEMENT_FIELDS)


async def owner_query(
    conn: Connection,
    type_name: str,
    owner: Any,
    selection: str,
    statements: list[str],
    *,
    fragments: str = "",
) -> Any:
    context = staff_context(conn, NOW, statements)
    result = await schema.execute(
        f"query ($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ enablements {{ {selection} }} }} }} }}"
        f" {fragments}",
        variable_values={"id": to_global_id(type_name, owner)},
        context_value=context,
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["node"]["enablements"]


@pytest.fixture
async def owners(conn: Connection) -> dict[str, Any]:
    organization = await factories.organization(conn, "Columns Group")
    carrier = await factories.carrier(conn, "ENCOL", organization_id=organization)
    feature = await factories.feature(conn, "columns.one", default=True)
    other = await factories.feature(conn, "columns.two")
    await factories.set_carrier_enablement(conn, carrier, feature, False)
    await factories.set_organization_enablement(conn, organization, other, True)
    return {"Carrier": carrier, "Organization": organization}


@pytest.mark.parametrize("type_name", ["Carrier", "Organization"])
@pytest.mark.parametrize("field", [*ENABLEMENT_FIELDS, "__typename"])
async def test_each_field_alone_answers_as_with_every_column_read(
    conn: Connection, owners: dict[str, Any], type_name: str, field: str
) -> None:
    owner = owners[type_name]
    everything = await owner_query(conn, type_name, owner, f"{EVERY_FIELD} __typename", [])
    alone = await owner_query(conn, type_name, owner, f"{field} {SUBSELECTION.get(field, '')}", [])
    assert alone == [{field: enablement[field]} for enablement in everything]
    assert any(e["updatedAt"] for e in everything)  # the data has settings whose change is recorded


@pytest.mark.parametrize(
    ("selection", "reads_updates"),
    [
        ("feature { key } state effective source", False),
        ("...Change", True),
        ("state ... on Enablement { updatedBy { kind } }", True),
    ],
)
async def test_updated_columns_are_read_only_when_selected(
    conn: Connection, owners: dict[str, Any], selection: str, reads_updates: bool
) -> None:
    statements: list[str] = []
    change = "fragment Change on Enablement { updatedAt }" if "...Change" in selection else ""
    await owner_query(conn, "Carrier", owners["Carrier"], selection, statements, fragments=change)
    [sql] = [s for s in statements if "carrier_enablements ce" in s]
    assert ("ce.updated_at" in sql) is reads_updates


async def test_a_fragment_spread_in_two_places_reads_the_updates_where_one_needs_them(
    conn: Connection, owners: dict[str, Any]
) -> None:
    result = await schema.execute(
        "query ($id: ID!) { b: node(id: $id) { ... on Carrier { ...E } }"
        " a: node(id: $id) { ... on Carrier { ...E enablements { updatedAt } } } }"
        " fragment E on Carrier { enablements { effective } }",
        variable_values={"id": to_global_id("Carrier", owners["Carrier"])},
        context_value=staff_context(conn, NOW),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    assert any(e["updatedAt"] for e in result.data["a"]["enablements"])
