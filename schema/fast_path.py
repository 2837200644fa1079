"""What the fast executor (fastgraph) may take as given about this schema, read from Strawberry's type
definitions (never from names of wrapped functions):

- the plain fields: those Strawberry answers with the attribute itself or with a pure method of the
  object alone, and that no access rule guards; a method that only reads a chain of attributes
  (`return self.row.hint`, as a view over its row does) is read as that chain, found in its bytecode,
  so that the builder reads the row without calling the method (one call per key and field saved);
- each object type's class: Strawberry's is_type_of is an instance test, so an object of exactly that
  class is of that type (this schema never uses `strawberry.cast`, which could say otherwise).
"""

from __future__ import annotations

import dis
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from schema.enforcement import AccessRule


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
    return _attribute_chain(function) or function  # type: ignore[arg-type, return-value]


# Bytecode a chain of reads may hold besides the reads: none of it does anything.
_NOTHING = frozenset({"RESUME", "NOP", "CACHE", "EXTENDED_ARG"})


def _attribute_chain(function: Callable[[Any], Any]) -> str | None:
    """`row.hint` for `def hint(self): return self.row.hint`; None for anything else. Read from the
    bytecode, so that the method stays the one declaration: the chain is the same attribute reads in
    the same order, and raises what they raise (which sends the operation to graphql-core, as the
    method's exception would)."""
    instructions = [i for i in dis.get_instructions(function) if i.opname not in _NOTHING]
    if len(instructions) < 3:
        return None
    first, *reads, last = instructions
    self_name = function.__code__.co_varnames[0]
    if first.opname != "LOAD_FAST" or first.argval != self_name or last.opname != "RETURN_VALUE":
        return None
    names = []
    for read in reads:
        # A plain attribute read (not a method load, which newer versions mark in `argrepr`).
        if read.opname != "LOAD_ATTR" or read.argrepr != read.argval or not str(read.argval).isidentifier():
            return None
        names.append(str(read.argval))
    return ".".join(names)


def object_classes(schema: strawberry.Schema) -> dict[str, type]:
    classes: dict[str, type] = {}
    for name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        definition = schema.get_type_by_name(name)
        if isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None:
            classes[name] = definition.origin
    return classes
