"""The depth limit's shortcut (web/json_limits.shallow): JSON text it calls shallow never nests deeper
than the limit, whatever its strings hold, so that skipping the walk for it lets nothing deeper through.
Generated values: deep and shallow, strings full of brackets."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from web.json_limits import MAX_JSON_DEPTH, nesting, shallow

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(alphabet='[]{}ab"\\', max_size=8)
)


def nested(depth: int) -> st.SearchStrategy[Any]:
    """Values nesting exactly `depth` deep along one path, with siblings of any shape."""
    value: st.SearchStrategy[Any] = LEAVES
    for _ in range(depth):
        value = st.one_of(
            st.lists(value, min_size=1, max_size=3),
            st.dictionaries(st.text(alphabet="{[k", max_size=3), value, min_size=1, max_size=3),
        )
    return value


VALUES = st.integers(min_value=0, max_value=MAX_JSON_DEPTH + 4).flatmap(nested) | st.recursive(
    LEAVES, lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children)
)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_text_called_shallow_never_nests_past_the_limit(value: Any) -> None:
    raw = orjson.dumps(value)
    if shallow(raw):
        assert nesting(value) <= MAX_JSON_DEPTH
    assert shallow(raw) == shallow(raw.decode())


def test_deep_text_is_not_called_shallow() -> None:
    deep = orjson.dumps(eval("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)))  # noqa: S307 - a literal
    assert not shallow(deep)
    assert nesting(orjson.loads(deep)) > MAX_JSON_DEPTH
