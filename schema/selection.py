"""Which fields of a connection's items a query selects, so a list can read only the columns they need.

Computed once per request and field in the document (the 50 carriers of an organization share the
answer). Conservative by construction: a field under @skip or @include counts as selected; the
caller maps the names to columns and reads every column for a name it does not know.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.types import Info

from schema.context import Context

# Stands for "the query reads cursors" (edges' or pageInfo's) among the item field names.
CURSORS = "(cursors)"


def connection_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """Names of the fields selected on `nodes` and `edges { node }` of the connection being resolved,
    and CURSORS if `edges` or `pageInfo` (whose cursors are made of each item's sort key) are selected."""
    raw = info._raw_info  # Strawberry's Info exposes the field's AST nodes only through here
    cache = info.context.selections
    key = id(raw.field_nodes[0])  # the document outlives the request: ids are stable within it
    if key not in cache:
        names: set[str] = set()
        for node in raw.field_nodes:
            _connection(node.selection_set, raw.fragments, names)
        cache[key] = frozenset(names)
    return cache[key]


def list_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """Names of the fields selected on the items of the list being resolved."""
    raw = info._raw_info
    cache = info.context.selections
    key = id(raw.field_nodes[0])
    if key not in cache:
        names: set[str] = set()
        for node in raw.field_nodes:
            _fields(node.selection_set, raw.fragments, names)
        cache[key] = frozenset(names)
    return cache[key]


def _connection(selection_set: SelectionSetNode | None, fragments: dict[str, Any], into: set[str]) -> None:
    for selection in _flatten(selection_set, fragments):
        if selection.name.value == "nodes":
            _fields(selection.selection_set, fragments, into)
        elif selection.name.value == "pageInfo":
            into.add(CURSORS)
        elif selection.name.value == "edges":
            into.add(CURSORS)
            for edge_field in _flatten(selection.selection_set, fragments):
                if edge_field.name.value == "node":
                    _fields(edge_field.selection_set, fragments, into)


def _fields(selection_set: SelectionSetNode | None, fragments: dict[str, Any], into: set[str]) -> None:
    into.update(field.name.value for field in _flatten(selection_set, fragments))


def _flatten(selection_set: SelectionSetNode | None, fragments: dict[str, Any]) -> list[FieldNode]:
    """The fields of a selection set, with fragments (inline and named) spread in place."""
    fields: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields.extend(_flatten(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            fields.extend(_flatten(fragments[selection.name.value].selection_set, fragments))
    return fields
