"""Odd input is the caller's error: arbitrary Unicode (lone surrogates, NUL, control characters) and
arbitrary JSON, as variables, into every argument of every root field and every mutation input field.

Each root field gets one document whose arguments are all variables of their declared types; hypothesis
draws the variables' values: well-shaped values with hostile leaves, or any JSON at all, sometimes
nested deeper than any input needs. The body is written with `ensure_ascii`, so a lone surrogate
travels as a `\\udXXX` escape, as a hostile client would send it. Whatever arrives, the answer is
never a 5xx and never an INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_composite_type,
)
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from tests import factories
from tests.drawn import drawn
from tests.factories import bearer, staff_token

GRAPHQL = schema._schema
EXAMPLES_PER_FIELD = 25

# Every code point, lone surrogates included, and the ones that break SQL, logs and terminals.
HOSTILE_TEXT = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(["\x00", "\ud800", "a\udfffb", "\u202e", "' or 1=1 --", "%", "_", "\\", "\n\r\t"]),
    st.text(alphabet=string.printable, max_size=300),
    st.just("x" * 5000),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def deeply_nested(depth: int) -> str:
    return "[" * depth + '"x"' + "]" * depth


class Raw(str):
    """JSON text to splice into the body as it is (json.dumps cannot write it that deep)."""


DEEP = st.integers(min_value=20, max_value=3000).map(lambda depth: Raw(deeply_nested(depth)))


def value_for(input_type: GraphQLInputType, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    """A value shaped like `input_type` with hostile leaves, or anything at all."""
    return st.one_of(_shaped(input_type, ids), ANY_JSON, DEEP)


def _shaped(input_type: GraphQLInputType, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    if isinstance(input_type, GraphQLNonNull):
        return _shaped(input_type.of_type, ids)
    if isinstance(input_type, GraphQLList):
        return st.lists(_shaped(input_type.of_type, ids), max_size=4)
    if isinstance(input_type, GraphQLInputObjectType):
        fields = input_type.fields
        required = {
            n: value_for(f.type, ids) for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)
        }
        optional = {n: value_for(f.type, ids) for n, f in fields.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(input_type, GraphQLEnumType):
        return st.sampled_from(list(input_type.values)) | HOSTILE_TEXT
    assert isinstance(input_type, GraphQLScalarType)
    if input_type.name == "ID":
        return st.sampled_from(list(ids)) | HOSTILE_TEXT
    return SCALARS.get(input_type.name, HOSTILE_TEXT)


TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-W01-1T00:00:00Z", "2027-01-15"]
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "Int": st.integers(min_value=-(2**40), max_value=2**40),
    "DateTime": st.sampled_from(TIMES) | st.datetimes().map(lambda moment: moment.isoformat()) | HOSTILE_TEXT,
    "Date": st.sampled_from(TIMES) | st.dates().map(lambda day: day.isoformat()) | HOSTILE_TEXT,
}


def _selection(field: GraphQLField) -> str:
    return " { __typename }" if is_composite_type(get_named_type(field.type)) else ""


def root_fields() -> list[tuple[str, str, GraphQLField]]:
    found = []
    for operation, root in (("query", GRAPHQL.query_type), ("mutation", GRAPHQL.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        found += [(operation, name, field) for name, field in root.fields.items() if field.args]
    return found


def document(operation: str, name: str, field: GraphQLField) -> str:
    definitions = ", ".join(f"${arg}: {argument.type}" for arg, argument in field.args.items())
    arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    return f"{operation} Fuzz({definitions}) {{ {name}({arguments}){_selection(field)} }}"


def encode(variables: dict[str, Any]) -> bytes:
    """The body's JSON, with Raw values spliced in verbatim."""
    raws: dict[str, str] = {}

    def placeholder(value: Any) -> Any:
        if isinstance(value, Raw):
            key = f"__raw_{len(raws)}__"
            raws[key] = str(value)
            return key
        if isinstance(value, list):
            return [placeholder(v) for v in value]
        if isinstance(value, dict):
            return {k: placeholder(v) for k, v in value.items()}
        return value

    text = json.dumps(placeholder(variables), ensure_ascii=True)
    for key, raw in raws.items():
        text = text.replace(f'"{key}"', raw)
    return text.encode()


def _internal(status: int, text: str) -> bool:
    if status >= 500:
        return True
    try:
        body = json.loads(text)
    except ValueError:
        return True  # every answer of this API is JSON
    errors = body.get("errors", []) if isinstance(body, dict) else []
    return any((error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for error in errors)


@pytest.mark.parametrize(
    ("operation", "name", "field"), root_fields(), ids=lambda v: v if isinstance(v, str) else ""
)
async def test_any_value_of_any_argument_is_the_callers_error(
    client: TestClient[Any, Any], conn: Connection, operation: str, name: str, field: GraphQLField
) -> None:
    organization = await factories.organization(conn, "Fuzz Arguments")
    carrier = await factories.carrier(conn, "FUZZARG", organization_id=organization)
    key_id, _ = await factories.api_key(conn, carrier)
    ids = [
        to_global_id("Carrier", carrier),
        to_global_id("Organization", organization),
        to_global_id("ApiKey", key_id),
    ]
    text = document(operation, name, field)
    strategy = st.fixed_dictionaries({arg: value_for(a.type, ids) for arg, a in field.args.items()})
    failures = []
    for variables in drawn(strategy, EXAMPLES_PER_FIELD):
        body = b'{"query": ' + json.dumps(text).encode() + b', "variables": ' + encode(variables) + b"}"
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            response = await client.post(
                "/graphql", data=body, headers={**bearer(staff_token()), "Content-Type": "application/json"}
            )
            answer = await response.text()
        finally:
            await savepoint.rollback()
        if _internal(response.status, answer):
            failures.append((body[:300], response.status, answer[:300]))
    assert not failures, f"{len(failures)} internal errors; the first: {failures[0]}"
