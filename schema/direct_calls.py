"""Resolvers graphql-core calls without Strawberry's per-call wrapper, where the wrapper only passes on.

Strawberry hands graphql-core, for each field with a resolver, a wrapper that on every call builds the
resolver's Info, converts each argument by walking its Strawberry type (and renames it), chains the
field's extensions and, for an async resolver, awaits it in a coroutine of its own: 15 µs of the small
query's 380 (in-process, `carrier(code:)`). For a field where all of that can only pass values through
— no field extensions (permission classes are one), arguments whose Python value is their GraphQL value
(built-in scalars, optional or not: Strawberry returns those as they are), a resolver it calls as a
plain function — the call is made here with exactly what the wrapper would pass: the source as `self`
or as root/parent where the resolver asks, the Info where it asks, each given argument under its
Python name. Every other field keeps Strawberry's wrapper. The schema is built without exception
handlers (schema/build.py), Strawberry's other per-call step.

tests/schema/test_direct_calls.py calls both on generated arguments and compares what the resolver got.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

# Argument types whose value graphql-core's coercion already makes the Python value Strawberry passes
# (its `convert_argument` returns a leaf's value as it is, GlobalID apart).
PASSED_AS_THEY_ARE: frozenset[object] = frozenset(
    {str, int, float, bool, strawberry.ID, uuid.UUID, datetime.datetime, datetime.date, decimal.Decimal}
)


def call_directly(schema: strawberry.Schema) -> int:
    """Gives every field that qualifies its direct call (before access rules wrap it); how many did."""
    replaced = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            call = direct_call(schema, field)
            if call is not None:
                field.resolve = call
                replaced += 1
    return replaced


def direct_call(schema: strawberry.Schema, field: GraphQLField) -> Callable[..., Any] | None:
    """The field's resolver called as Strawberry's wrapper would call it, or None where the wrapper does
    more than pass values on."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.subscribe is not None:
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.extensions or not callable(resolver.wrapped_func):
        return None
    if not all(_passed_as_it_is(argument.type) for argument in definition.arguments):
        return None
    config = schema.config
    # (GraphQL name, Python name) of each argument whose names differ.
    renamed = tuple(
        (graphql_name, argument.python_name)
        for argument in definition.arguments
        if (graphql_name := config.name_converter.from_argument(argument)) != argument.python_name
    )
    function = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    sources = tuple(
        parameter.name for parameter in (resolver.root_parameter, resolver.parent_parameter) if parameter
    )
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    info_class = config.info_class

    def call(source: Any, info: Any, **arguments: Any) -> Any:
        for graphql_name, python_name in renamed:
            if graphql_name in arguments:
                arguments[python_name] = arguments.pop(graphql_name)
        for name in sources:
            arguments[name] = source
        if info_name is not None:
            arguments[info_name] = info_class(_raw_info=info, _field=definition)
        return function(source, **arguments) if takes_self else function(**arguments)

    return call


def _passed_as_it_is(annotation: object) -> bool:
    # Exactly an optional: Maybe (a subclass) wraps its value in Some.
    while type(annotation) is StrawberryOptional:
        annotation = annotation.of_type
    return annotation in PASSED_AS_THEY_ARE
