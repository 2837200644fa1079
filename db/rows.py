"""Turning asyncpg records into the typed rows that repositories return.

Rows are built positionally (a record's values in SELECT order) because it is several times cheaper
than by keyword, and a repository may read thousands per request; `check_columns` makes each
repository prove at import that its column list matches its row type, so the order cannot drift.

The hottest rows (a page of API keys: a partner's sync reads thousands) copy nothing at all: their
type is an asyncpg `Record` subclass that asyncpg decodes into directly (`record_class=`), and
`record_columns` makes each annotated column an attribute read from the record by name.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")
R = TypeVar("R", bound=type[asyncpg.Record])

_ALIAS = re.compile(r"(?:.*\s+as\s+|.*\.)(\w+)$", re.IGNORECASE | re.DOTALL)


def row(cls: type[T], record: Any, *, skip: int = 0) -> T:
    """Build `cls` from a record's values, after `skip` leading helper columns (a page's total...)."""
    values = tuple(record)
    return cls(*(values[skip:] if skip else values))


def row_or_none(cls: type[T], record: Any) -> T | None:
    """`row`, for a statement that may find nothing (`fetchrow`'s None)."""
    return row(cls, record) if record is not None else None


def record_columns(cls: R) -> R:
    """Give a Record subclass an attribute per annotated column: `row.hint` is `record["hint"]`."""
    for name in cls.__annotations__:
        setattr(cls, name, property(operator.itemgetter(name)))
    return cls


def check_columns(cls: type[Any], columns: str) -> None:
    """Fail at import if a SELECT list and its row type disagree on names or order."""
    names = [_column_name(column) for column in columns.split(",")]
    if issubclass(cls, asyncpg.Record):
        fields = list(cls.__annotations__)
    else:
        fields = [field.name for field in dataclasses.fields(cls)]
    if names != fields:
        raise TypeError(f"{cls.__name__}: columns {names} do not match fields {fields}")


def _column_name(column: str) -> str:
    column = column.strip()
    match = _ALIAS.match(column)
    return match.group(1) if match else column
