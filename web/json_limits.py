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


def shallow(raw: str | bytes) -> bool:
    """Whether JSON text surely nests no deeper than MAX_JSON_DEPTH, from its brackets alone: each level
    opens with one, and brackets inside strings only count more (then `nesting` decides). A request's
    body is a few brackets (its query's braces among them): walking it costs more than counting."""
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{") <= MAX_JSON_DEPTH
    return raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH
