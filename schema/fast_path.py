"""What the fast executor (fastgraph) may take as given about this schema, read from Strawberry's type
definitions (never from names of wrapped functions):

- the plain fields: those Strawberry answers with the attribute itself, with a chain of attributes
  declared by `reads("row.hint", ...)` (schema/row_fields.py), or with a pure method of the object
  alone, and that no access rule guards; a declared chain is read from the row by the builder, without
  a call (one call per key and field saved);
- each object type's class: Strawberry's is_type_of is an instance test, so an object of exactly that
  class is of that type (this schema never uses `strawberry.cast`, which could say otherwise).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.enforcement import AccessRule
from schema.row_fields import READS


def plain_fields(
    schema: strawberry.Schema, rules: Mapping[str, AccessRule]
) -> dict[tuple[str, str], str | Callable[[Any], Any]]:
    plain: dict[tuple[str, str], str | Callable[[Any], Any]] = {}
    reads_attributes = schema.config.default_resolver is getattr
    for name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        definition = schema.get_type_by_name(name)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field in definition.fields:
            field_name = schema.config.name_converter.get_graphql_name(field)
            rule = rules.get(f"{name}.{field_name}")
            if (rule is not None and not rule.is_open) or field.extensions or field.arguments:
                continue
            read = _read(field, reads_attributes)
            if read is not None:
                plain[(name, field_name)] = read
    return plain


def _read(field: StrawberryField, reads_attributes: bool) -> str | Callable[[Any], Any] | None:
    resolver = field.base_resolver
    if resolver is None:
        return field.python_name if reads_attributes else None
    declared = field.metadata.get(READS)  # a field declared with `reads(...)`
    if declared is not None:
        return str(declared)
    function = resolver.wrapped_func
    of_self_alone = (
        inspect.isfunction(function)
        and not resolver.is_async
        and resolver.self_parameter is not None
        and resolver.info_parameter is None
        and resolver.root_parameter is None
        and resolver.parent_parameter is None
        and not resolver.arguments
        and len(inspect.signature(function).parameters) == 1
    )
    if not of_self_alone:
        return None
    return function  # type: ignore[return-value]


def object_classes(schema: strawberry.Schema) -> dict[str, type]:
    classes: dict[str, type] = {}
    for name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        definition = schema.get_type_by_name(name)
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None:
            classes[name] = definition.origin
    return classes
