"""A resolver called directly (schema/direct_calls.py) gets exactly what Strawberry's wrapper gives it:
for every field that qualifies, generated arguments (each given, null or left out) are passed through
Strawberry's own wrapper and through the direct call to a resolver that records its call, and the two
calls must match (the source, each argument under its Python name, an Info of the same class over the
same field and GraphQL info) and answer the same."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)
from hypothesis import strategies as st
from strawberry.schema.schema_converter import GraphQLCoreConverter

import schema.build  # noqa: F401 - the schema's modules import in this order
from schema.direct_calls import direct_call
from schema.mutations import Mutation
from schema.query import Query
from schema.subscription import Subscription
from tests.drawn import drawn

SCALARS: dict[object, st.SearchStrategy[Any]] = {
    GraphQLString: st.text(max_size=8),
    GraphQLID: st.text(max_size=8),
    GraphQLInt: st.integers(min_value=-(2**31), max_value=2**31 - 1),
    GraphQLFloat: st.floats(allow_nan=False),
    GraphQLBoolean: st.booleans(),
}
LEFT_OUT = object()


def plain_schema() -> strawberry.Schema:
    """The schema as Strawberry builds it: every resolver behind Strawberry's wrapper."""
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)


def direct_fields(built: strawberry.Schema) -> list[tuple[str, GraphQLField]]:
    found = []
    for graphql_type in built._schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                if direct_call(built, field) is not None:
                    found.append((f"{graphql_type.name}.{name}", field))
    return found


def argument_values(argument: GraphQLArgument) -> st.SearchStrategy[Any]:
    if isinstance(argument.type, GraphQLNonNull):
        return SCALARS[argument.type.of_type]
    return st.one_of(SCALARS[argument.type], st.none(), st.just(LEFT_OUT))


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((args, kwargs))
        return ("answered", len(self.calls))


@contextmanager
def recording(field: GraphQLField) -> Iterator[Recorded]:
    """The field's resolver function swapped for a recorder while the block runs."""
    resolver = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF].base_resolver
    kept = resolver.wrapped_func
    recorder = Recorded()
    resolver.wrapped_func = recorder
    try:
        yield recorder
    finally:
        resolver.wrapped_func = kept


class RawInfo:
    """What graphql-core would pass: Strawberry's Info only keeps it (and reads it when asked)."""

    context = object()
    field_name = "field"


def comparable(call: tuple[tuple[Any, ...], dict[str, Any]]) -> Any:
    args, kwargs = call
    infos = {
        name: (type(value), value.context, value.python_name)
        for name, value in kwargs.items()
        if isinstance(value, strawberry.Info)
    }
    rest = {name: value for name, value in kwargs.items() if name not in infos}
    return args, rest, infos


def test_the_small_query_s_field_and_most_resolvers_are_called_directly() -> None:
    names = {name for name, _ in direct_fields(plain_schema())}
    assert {"Query.carrier", "Carrier.enablements", "ApiKey.hint"} <= names
    # Input objects and enums are converted by Strawberry: those fields keep its wrapper.
    assert not {"Mutation.createCarrier", "ApiKey.usage"} & names


@pytest.mark.parametrize("name", [name for name, _ in direct_fields(plain_schema())])
async def test_a_direct_call_passes_what_strawberry_s_wrapper_passes(name: str) -> None:
    built = plain_schema()
    field = dict(direct_fields(built))[name]
    strawberry_wrapper = field.resolve
    assert strawberry_wrapper is not None
    arguments = st.fixed_dictionaries(
        {argument_name: argument_values(argument) for argument_name, argument in field.args.items()}
    )
    for drawn_arguments in drawn(arguments, 10):
        given = {key: value for key, value in drawn_arguments.items() if value is not LEFT_OUT}
        source, info = object(), RawInfo()
        with recording(field) as recorder:
            direct = direct_call(built, field)
            assert direct is not None
            wrapped = strawberry_wrapper(source, info, **dict(given))
            if inspect.isawaitable(wrapped):
                wrapped = await wrapped
            answered = direct(source, info, **dict(given))
        assert wrapped == ("answered", 1)
        assert answered == ("answered", 2)
        by_strawberry, by_direct_call = recorder.calls
        assert comparable(by_direct_call) == comparable(by_strawberry)
