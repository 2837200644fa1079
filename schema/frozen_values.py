"""A variable's value as part of a dictionary key: what a kept answer depends on is looked up by it."""

from __future__ import annotations

from typing import Any


def frozen(value: Any) -> Any:
    """Lists as tuples, objects as their sorted items; other values as they are (hashable or not: the
    caller asks `hash` and does without a key when it fails)."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((name, frozen(item)) for name, item in value.items()))
    return value
