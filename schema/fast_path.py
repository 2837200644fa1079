"""What the fast executor (fastgraph) may take as given about this schema, read from Strawberry's type
definitions (never from names of wrapped functions):

- the plain fields: those Strawberry answers with the attribute itself, with a chain of attributes
  declared by `reads("row.hint", ...)` (schema/row_fields.py), or with a pure method of the object
  alone, and that no access rule guards; a declared chain is read from the row by the builder, without
  a call (one call per key and field saved);
- each object type's class: Strawberry's is_type_of is an instance test, so an object of exactly that
  class is of that type (this schema never uses `strawberry.cast`, which could say otherwise);
- the row reads: how each open field declared `reads("row.…", ...)` reads a view's row, so that a list
  of views given as rows (`fastgraph.RowViews`: a page of keys, an owner's enablements) is built from
  its rows when its selection reads nothing else.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from fastgraph import RowRead
from schema.enforcement import AccessRule
from schema.row_fields import READS, ROW_READ


def plain_fields(
    schema: strawberry.Schema, rules: Mapping[str, AccessRule]
) -> dict[tuple[str, str], str | Callable[[Any], Any]]:
    plain: dict[tuple[str, str], str | Callable[[Any], Any]] = {}
    reads_attributes = schema.config.default_resolver is getattr
    for coordinate, field in _open_fields(schema, rules):
        read = _read(field, reads_attributes)
        if read is not None:
            plain[coordinate] = read
    return plain


def row_reads(schema: strawberry.Schema, rules: Mapping[str, AccessRule]) -> dict[tuple[str, str], RowRead]:
    """The open fields declared with `reads("row.…")`: how each reads a view's row. A read of one of
    the row's columns, where the row is an asyncpg record (db/rows.record_columns), is read by subscript."""
    reads: dict[tuple[str, str], RowRead] = {}
    columns: dict[str, frozenset[str]] = {}  # by type name: its row's, looked up once per type
    for (type_name, field_name), field in _open_fields(schema, rules):
        read = field.metadata.get(ROW_READ)
        if read is None:
            continue
        if type_name not in columns:
            columns[type_name] = _record_columns(schema, type_name)
        reads[type_name, field_name] = replace(read, item=True) if read.chain in columns[type_name] else read
    return reads


def _record_columns(schema: strawberry.Schema, type_name: str) -> frozenset[str]:
    """The columns of the type's row, when its row is an asyncpg record; else none."""
    definition = schema.get_type_by_name(type_name)
    assert isinstance(definition, StrawberryObjectDefinition)
    row_type = typing.get_type_hints(definition.origin).get("row")
    if isinstance(row_type, type) and issubclass(row_type, asyncpg.Record):
        return frozenset(row_type.__annotations__)
    return frozenset()


def _open_fields(
    schema: strawberry.Schema, rules: Mapping[str, AccessRule]
) -> Iterator[tuple[tuple[str, str], StrawberryField]]:
    """The fields of object types that no access rule guards, with no extension and no arguments."""
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
            yield (name, field_name), field


def _read(field: StrawberryField, reads_attributes: bool) -> str | Callable[[Any], Any] | None:
    resolver = field.base_resolver
    if resolver is None:
        return field.python_name if reads_attributes else None
    declared = field.metadata.get(READS)  # a field declared with `reads(...)`
    if declared is not None:
        return declared if callable(declared) else str(declared)
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
