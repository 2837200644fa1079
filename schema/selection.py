"""Which fields of a connection's items a query selects, so a list can read only the columns they need.

Computed once per request and field in the document (the 50 carriers of an organization share the
answer). Conservative by construction: a field under @skip or @include counts as selected; the
caller maps the names to columns and reads every column for a name it does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.types import Info

from context import Context

# Stands for "the query reads cursors" (edges' or pageInfo's) among the item field names.
CURSORS = "(cursors)"


def connection_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """Names of the fields selected on `nodes` and `edges { node }` of the connection being resolved,
    and CURSORS if `edges` or `pageInfo` (whose cursors are made of each item's sort key) are selected."""
    return _cached(info, _connection)


def list_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """Names of the fields selected on the items of the list being resolved."""
    return _cached(info, _fields)


Collect = Callable[[SelectionSetNode | None, dict[str, Any], set[str]], None]


def _cached(info: Info[Context, Any], collect: Collect) -> frozenset[str]:
    """Once per request and merged field. The key is every AST node merged into the field, not the
    first alone: a fragment's field merges with different siblings where the fragment is spread
    twice. The document outlives the request, so the nodes' ids are stable within it."""
    raw = info._raw_info  # Strawberry's Info exposes the field's AST nodes only through here
    key = tuple(map(id, raw.field_nodes))
    cache = info.context.selections
    names = cache.get(key)
    if names is None:
        collected: set[str] = set()
        for node in raw.field_nodes:
            collect(node.selection_set, raw.fragments, collected)
        names = cache[key] = frozenset(collected)
    return names


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
