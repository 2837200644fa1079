"""Which fields a query selects below a field, read through Strawberry's public `info.selected_fields`:
so that a list reads only the columns its items need, and a list of carriers can load what each
carrier's fields will ask for in one go (schema/prefetch.py).

Conservative by construction: a field under @skip or @include counts as selected; the caller maps the
names to columns and reads every column for a name it does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection

from context import Context

# Stands for "the query reads cursors" (edges' or pageInfo's) among the item field names.
CURSORS = "(cursors)"


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
    return connection_items(fields_of(info.selected_fields))


def list_item_fields(info: Info[Context, Any]) -> frozenset[str]:
    """`list_items` of the list being resolved."""
    return list_items(fields_of(info.selected_fields))


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
