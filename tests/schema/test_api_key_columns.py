"""A page of API keys reads only the columns its query's fields need, and answers exactly the same.

schema/api_key.py maps each ApiKey field to the row columns it reads; a page of keys selects those
(db/api_keys.select_list). A field missing from the map, or mapped to too few columns, would answer
wrongly or fail: these tests ask for each field on its own and compare with every column read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import GraphQLObjectType
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.api_key import COLUMNS_BY_FIELD
from schema.build import schema
from schema.selection import CURSORS
from tests import factories
from tests.conftest import staff_context
from tests.drawn import drawn

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
_API_KEY = schema._schema.type_map["ApiKey"]
assert isinstance(_API_KEY, GraphQLObjectType)
API_KEY_FIELDS = list(_API_KEY.fields)

# A sub-selection for the fields whose type is an object.
SUBSELECTION = {"createdBy": "{ kind id name }", "revokedBy": "{ kind id name }", "carrier": "{ code }",
                "rotatedFrom": "{ hint }", "refusals": "{ reason count }",
                "lastRefusal": "{ reason count }", "policyGaps": "{ rule level }",
                "usage": '(since: "2026-11-20T00:00:00Z") { start served }'}  # fmt: skip
EVERY_FIELD = " ".join(f"{name} {SUBSELECTION.get(name, '')}" for name in API_KEY_FIELDS)


async def carrier_query(
    conn: Connection, carrier: Any, selection: str, statements: list[str], fragments: str = ""
) -> Any:
    result = await schema.execute(
        f"query ($id: ID!) {{ node(id: $id) {{ ... on Carrier {{ {selection} }} }} }} {fragments}",
        variable_values={"id": to_global_id("Carrier", carrier)},
        context_value=staff_context(conn, NOW, statements),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["node"]


async def keys_of(conn: Connection, carrier: Any, selection: str) -> Any:
    return (await carrier_query(conn, carrier, f"apiKeys(first: 10) {{ {selection} }}", []))["apiKeys"]


@pytest.fixture
async def carrier(conn: Connection) -> Any:
    carrier_id = await factories.carrier(conn, "COLS")
    old, _ = await factories.api_key(
        conn, carrier_id, revoked=True, created_at=NOW - timedelta(days=3), allowlist=["10.0.0.0/8"]
    )
    new, _ = await factories.api_key(
        conn, carrier_id, scopes=("carrier:read", "keys:read"), expires_at=NOW + timedelta(days=30)
    )
    await conn.execute(
        "update api_keys set rotated_from_id = $1, last_used_at = $2, last_used_address = '192.0.2.7' "
        "where id = $3",
        old,
        NOW - timedelta(hours=1),
        new,
    )
    return carrier_id


def test_every_field_of_api_key_says_which_columns_it_reads() -> None:
    assert set(API_KEY_FIELDS) | {"__typename", CURSORS} == set(COLUMNS_BY_FIELD)


@pytest.mark.parametrize("field", [*API_KEY_FIELDS, "__typename"])
async def test_each_field_alone_answers_as_with_every_column_read(
    conn: Connection, carrier: Any, field: str
) -> None:
    everything = await keys_of(conn, carrier, f"nodes {{ {EVERY_FIELD} __typename }}")
    alone = await keys_of(conn, carrier, f"nodes {{ {field} {SUBSELECTION.get(field, '')} }}")
    assert alone["nodes"] == [{field: node[field]} for node in everything["nodes"]]
    assert len(alone["nodes"]) == 2


async def test_only_the_selected_fields_columns_are_read_through_fragments_and_edges(
    conn: Connection, carrier: Any
) -> None:
    statements: list[str] = []
    selection = "apiKeys(first: 10) { edges { node { ...Hint } } nodes { ... on ApiKey { status } } }"
    await carrier_query(conn, carrier, selection, statements, "fragment Hint on ApiKey { hint }")
    [page_sql] = [s for s in statements if "lateral" in s and "from api_keys k" in s]
    read = page_sql.split("left join lateral (")[1].split("from api_keys k")[0]
    assert {c.strip() for c in read.replace("select", "").split(",")} == {
        "k.id", "k.created_at", "k.hint", "k.revoked_at", "k.expires_at"
    }  # fmt: skip


@pytest.mark.parametrize(
    "selection",
    [
        "pageInfo { startCursor endCursor } nodes { hint }",
        "edges { cursor }",
        "edges { cursor node { hint } }",
        "pageInfo { hasNextPage }",
    ],
)
async def test_cursors_read_the_sort_key_whatever_else_is_selected(
    conn: Connection, carrier: Any, selection: str
) -> None:
    # A page of one: its cursor must page on to the second key, so it holds the sort key.
    one = await carrier_query(
        conn, carrier, f"apiKeys(first: 1) {{ {selection} pageInfo {{ endCursor }} }}", []
    )
    after = one["apiKeys"]["pageInfo"]["endCursor"]
    rest = await carrier_query(
        conn, carrier, f'apiKeys(first: 10, after: "{after}") {{ nodes {{ hint }} }}', []
    )
    assert len(rest["apiKeys"]["nodes"]) == 1


async def test_two_selections_of_the_same_keys_each_read_what_they_need(
    conn: Connection, carrier: Any
) -> None:
    statements: list[str] = []
    selection = (
        "a: apiKeys(first: 10) { nodes { hint } } b: apiKeys(first: 10) { nodes { createdBy { kind } } }"
    )
    both = await carrier_query(conn, carrier, selection, statements)
    assert [n["hint"] for n in both["a"]["nodes"]] == [
        n["hint"] for n in (await keys_of(conn, carrier, "nodes { hint }"))["nodes"]
    ]
    assert [n["createdBy"]["kind"] for n in both["b"]["nodes"]] == ["SYSTEM", "SYSTEM"]
    assert len([s for s in statements if "lateral" in s and "from api_keys k" in s]) == 2


async def test_a_fragment_spread_in_two_places_reads_the_columns_each_place_needs(
    conn: Connection, carrier: Any
) -> None:
    # The fragment's apiKeys merges with a sibling selecting `hint` in the second place only: the
    # first place must not decide the columns of the second.
    result = await schema.execute(
        "query ($id: ID!) { b: node(id: $id) { ... on Carrier { ...K } }"
        " a: node(id: $id) { ... on Carrier { ...K apiKeys(first: 10) { nodes { hint } } } } }"
        " fragment K on Carrier { apiKeys(first: 10) { nodes { id } } }",
        variable_values={"id": to_global_id("Carrier", carrier)},
        context_value=staff_context(conn, NOW),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    assert [set(n) for n in result.data["a"]["apiKeys"]["nodes"]] == [{"id", "hint"}] * 2


# What may sit beside a page's nodes: nothing, or a part that carries cursors (each needs the sort key).
CURSOR_PARTS = {
    "": False,
    "pageInfo { hasNextPage }": True,
    "pageInfo { endCursor }": True,
    "edges { cursor }": True,
    "edges { node { id } }": True,
}
ORDER_FIELDS = ("CREATED_AT", "EXPIRES_AT", "LAST_USED_AT")
# The order's column in the page statement, by the order's field.
ORDER_COLUMNS = {"CREATED_AT": "k.created_at", "EXPIRES_AT": "k.expires_at", "LAST_USED_AT": "k.last_used_at"}
PAGES = drawn(
    st.tuples(
        st.sampled_from(ORDER_FIELDS),
        st.sampled_from(("ASC", "DESC")),
        st.sampled_from(sorted(CURSOR_PARTS)),
        st.sets(st.sampled_from(("hint", "status", "scopes", "createdAt", "lastUsedAt")), max_size=2),
    ),
    24,
)


@pytest.fixture
async def keys_to_sort(conn: Connection) -> Any:
    """Five keys, each order sorting them differently (and some never expiring or used)."""
    carrier_id = await factories.carrier(conn, "SORT")
    for n, (expires, used) in enumerate([(4, None), (None, 2), (1, 5), (9, 1), (None, None)]):
        key_id, _ = await factories.api_key(
            conn,
            carrier_id,
            created_at=NOW - timedelta(days=10 - n),
            expires_at=None if expires is None else NOW + timedelta(days=expires),
        )
        if used is not None:
            await conn.execute(
                "update api_keys set last_used_at = $1 where id = $2", NOW - timedelta(hours=used), key_id
            )
    return carrier_id


async def test_a_page_reads_its_sort_key_exactly_when_its_cursors_are_selected(
    conn: Connection, keys_to_sort: Any
) -> None:
    for field, direction, part, fields in PAGES:
        order = f"orderBy: {{field: {field}, direction: {direction}}}"
        nodes = " ".join(["id", *sorted(fields)])
        statements: list[str] = []
        page = await carrier_query(
            conn, keys_to_sort, f"apiKeys(first: 2, {order}) {{ {part} nodes {{ {nodes} }} }}", statements
        )
        [page_sql] = [s for s in statements if "lateral" in s and "from api_keys k" in s]
        read = page_sql.split("left join lateral (")[1].split("from api_keys k")[0]
        # some fields read an order's column whatever the order (schema/api_key.COLUMNS_BY_FIELD)
        by_fields = {f"k.{column}" for name in fields for column in COLUMNS_BY_FIELD[name]}
        wanted = CURSOR_PARTS[part] or ORDER_COLUMNS[field] in by_fields
        assert (ORDER_COLUMNS[field] in read) is wanted, (field, part, fields, read)
        # the whole list in this order: the page is its start
        whole = await carrier_query(
            conn, keys_to_sort, f"apiKeys(first: 10, {order}) {{ nodes {{ id }} }}", []
        )
        ids = [n["id"] for n in whole["apiKeys"]["nodes"]]
        assert [n["id"] for n in page["apiKeys"]["nodes"]] == ids[:2]
        if CURSOR_PARTS[part]:
            # its cursors page on to the next key in that order
            ended = await carrier_query(
                conn, keys_to_sort, f"apiKeys(first: 2, {order}) {{ {part} pageInfo {{ endCursor }} }}", []
            )
            after = ended["apiKeys"]["pageInfo"]["endCursor"]
            rest = await carrier_query(
                conn, keys_to_sort, f'apiKeys(first: 10, {order}, after: "{after}") {{ nodes {{ id }} }}', []
            )
            assert [n["id"] for n in rest["apiKeys"]["nodes"]] == ids[2:]
