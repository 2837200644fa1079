"""How deep a client's JSON may nest: the HTTP body and a WebSocket message alike.

The body {variables: {input: {ipAllowlist: [...]}}} is 4 deep; nothing in this schema needs more than 8.
"""

from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 16


def nesting(value: Any) -> int:
    """How deep lists and objects nest in a JSON value, counted up to just past MAX_JSON_DEPTH
    (iteratively: depth is what is being checked)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                children = item.values() if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)
    return deepest
