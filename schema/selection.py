"""Which fields a query selects below a field, read through Strawberry's public `info.selected_fields`:
so that a list reads only the columns its items need, and a list of carriers can load what each
carrier's fields will ask for in one go (schema/prefetch.py).

Conservative by construction: a field under @skip or @include counts as selected; the caller maps the
names to columns and reads every column for a name it does not know.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import FieldNode, OperationDefinitionNode
from graphql.pyutils import Path
from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection

from context import Context
from schema.frozen_values import frozen

# Stands for "the query reads cursors" (edges' or pageInfo's) among the item field names.
CURSORS = "(cursors)"
# Selections kept (`selected`): a few per kept document. Each holds its operation (and so its
# document) alive: bounded like the documents kept elsewhere, so that new documents cannot fill memory.
SELECTED_SIZE = 512

# Where a field is in an operation: its response path with list indices left out, each step with the
# type it is on (one response key may name different fields on the members of a union).
Place = tuple[Any, ...]
_selected: OrderedDict[tuple[int, Place, Any], tuple[OperationDefinitionNode, list[Selection]]] = (
    OrderedDict()
)


def alone(info: Info[Context, Any]) -> bool:
    """Whether the field is its operation's only root field (no fragment at the root either): then no
    other field loads anything before it answers, and a load of its own can go at once rather than wait
    for others to join its batch (db/loaders.RequestLoader.load_alone)."""
    if info.path.prev is not None:
        return False
    selections = info.operation.selection_set.selections
    return len(selections) == 1 and isinstance(selections[0], FieldNode)


def selected(info: Info[Context, Any]) -> list[Selection]:
    """`info.selected_fields`, converted once per field of a kept operation and variable values rather
    than on every request: Strawberry builds a SelectedField per node below the field each time (21 for
    the nested query of ten carriers). The same operation object (a kept document's), the same place in
    it and the same variables select the same fields with the same arguments. Read-only: shared."""
    operation = info.operation
    try:
        key = (id(operation), _place(info), frozen(info.variable_values))
        hash(key)
    except TypeError:  # a variable's value that cannot be a key: converted every time
        return info.selected_fields
    found = _selected.get(key)
    if found is not None and found[0] is operation:
        _selected.move_to_end(key)
        return found[1]
    selections = info.selected_fields
    _selected[key] = (operation, selections)
    if len(_selected) > SELECTED_SIZE:
        _selected.popitem(last=False)
    return selections


def _place(info: Info[Context, Any]) -> Place:
    steps: list[Any] = []
    path: Path | None = info.path
    while path is not None:
        key = path.key
        steps.append(key if type(key) is str else 0)
        steps.append(path.typename)
        path = path.prev
    return tuple(steps)


def fields_of(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection, with fragments (inline and named) spread in place."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from fields_of(selection.selections)


def connection_items(connection_fields: Iterable[SelectedField]) -> frozenset[str]:
    """Names of the fields selected on `nodes` and `edges { node }` of these selections of a connection,
    and CURSORS if `edges` or `pageInfo` (whose cursors are made of each item's sort key) are selected."""
    names: set[str] = set()
    for field in connection_fields:
        for part in fields_of(field.selections):
            if part.name == "nodes":
                names.update(item.name for item in fields_of(part.selections))
            elif part.name == "pageInfo":
                names.add(CURSORS)
            elif part.name == "edges":
                names.add(CURSORS)
                for edge_field in fields_of(part.selections):
                    if edge_field.name == "node":
                        names.update(item.name for item in fields_of(edge_field.selections))
    return frozenset(names)


def list_items(list_fields: Iterable[SelectedField]) -> frozenset[str]:
    """Names of the fields selected on the items of these selections of a list."""
    return frozenset(item.name for field in list_fields for item in fields_of(field.selections))


def connection_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """`connection_items` of the connection being resolved."""
    return connection_items(fields_of(selected(info)))


def list_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """`list_items` of the list being resolved."""
    return list_items(fields_of(selected(info)))


def connection_nodes(connection_fields: Iterable[SelectedField]) -> Iterator[SelectedField]:
    """The fields selected on the items of a connection (under `nodes` and `edges { node }`)."""
    for field in connection_fields:
        for part in fields_of(field.selections):
            if part.name == "nodes":
                yield from fields_of(part.selections)
            elif part.name == "edges":
                for edge_field in fields_of(part.selections):
                    if edge_field.name == "node":
                        yield from fields_of(edge_field.selections)
