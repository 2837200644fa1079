"""A mutation that forwards its input's fields to its resolver (`forward(...)`) is checked when the
schema module is imported: a field the resolver does not take, or a keyword the input does not give,
fails at start rather than on the first request."""

from __future__ import annotations

import keyword
from collections.abc import Awaitable, Callable

import pytest
import strawberry
from hypothesis import given
from hypothesis import strategies as st

from schema.mutations.results import check_forwarding, forward, mutation

# Python names, not keywords ("def", "None") nor "context": the test builds a class and a function from them.
IDENTIFIER = st.from_regex(r"[a-z]{1,8}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name) and name != "context"  # the resolver's first parameter
)
EXTRA = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True).filter(lambda name: not keyword.iskeyword(name))
NAMES = st.lists(IDENTIFIER, min_size=1, max_size=5, unique=True)


def input_type(names: list[str]) -> type:
    annotations = dict.fromkeys(names, str)
    return strawberry.input(type(f"In{len(names)}", (), {"__annotations__": annotations}))


def resolver_taking(names: list[str]) -> Callable[..., Awaitable[None]]:
    keywords = ", ".join(names)
    namespace: dict[str, object] = {}
    exec(f"async def resolve(context, *, {keywords}): return None", namespace)  # noqa: S102 - a test's own text
    return namespace["resolve"]  # type: ignore[return-value]


@given(NAMES)
def test_the_same_names_pass(names: list[str]) -> None:
    check_forwarding(input_type(names), resolver_taking(names), {})


@given(NAMES, EXTRA)
def test_a_field_the_resolver_does_not_take_is_named(names: list[str], extra: str) -> None:
    with pytest.raises(TypeError, match=extra):
        check_forwarding(input_type([*names, extra]), resolver_taking(names), {})


@given(NAMES, EXTRA)
def test_a_keyword_the_input_does_not_give_is_named(names: list[str], extra: str) -> None:
    with pytest.raises(TypeError, match=extra):
        check_forwarding(input_type(names), resolver_taking([*names, extra]), {})


def test_a_renamed_field_reaches_its_keyword() -> None:
    check_forwarding(
        input_type(["id", "name"]), resolver_taking(["carrier_id", "name"]), {"id": "carrier_id"}
    )
    with pytest.raises(TypeError):
        mutation(
            "x",
            guard=object(),
            takes=input_type(["id", "name"]),
            answers=str,
            run=forward(resolver_taking(["carrier_id", "name"])),
            payload=lambda context, result: result,
        )
