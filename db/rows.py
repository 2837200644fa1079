"""Turning asyncpg records into the typed rows that repositories return."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def row(cls: type[T], record: Any, *, skip: Iterable[str] = ()) -> T:
    """Build `cls` from a record's columns, leaving out helper columns such as a page's total."""
    skipped = set(skip)
    values = {k: v for k, v in record.items() if k not in skipped}
    return cls(**values)
