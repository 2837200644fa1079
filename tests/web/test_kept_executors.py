"""A kept document's executors (web/kept_executors.py) are the ones graphql-core's `Executor.build` makes:
for generated variable definitions (each scalar type, nullable or not, some with defaults, with an enum
and an input list among them) and generated request values (missing, null, of the right type or of
another, out of range, extra keys), whenever the kept executors coerce the variables themselves their
variables equal `build`'s, and the executor is built as `build` builds it; where they do not, `build`
answers (and it is only then that `build` is the one to refuse)."""

from __future__ import annotations

from typing import Any

from graphql import Undefined, build_schema, parse
from graphql.execution import Executor
from hypothesis import strategies as st

from tests.drawn import drawn
from web.kept_executors import KeptExecutors

SCHEMA = build_schema(
    """
    enum Color { RED GREEN }
    type Query { echo(s: String, i: ID, n: Int, b: Boolean, f: Float, c: Color, l: [String]): String }
    """
)
TYPES = ["String", "String!", "ID", "ID!", "Int", "Int!", "Boolean", "Boolean!", "Float", "Color", "[String]"]
VALUES = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(min_value=-(2**33), max_value=2**33),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
# Mostly the types the kept executors check themselves, mostly without a default.
SIMPLE = ["String", "String!", "ID", "ID!", "Int", "Int!", "Boolean", "Boolean!"]
DEFINITIONS = st.lists(
    st.tuples(st.sampled_from(SIMPLE * 4 + TYPES), st.sampled_from([None] * 6 + ['"x"', "1", "true"])),
    min_size=0,
    max_size=4,
)
# A value each type takes, for the first request (the one whose executor is kept).
VALID = {"String": "a", "ID": "b", "Int": 7, "Boolean": True, "Float": 1.5, "Color": "RED", "[String]": ["c"]}
# Values of each type's own kind (so that the kept path is taken), beside every other kind.
OWN = {
    "String": st.text(max_size=5),
    "ID": st.one_of(st.text(max_size=5), st.integers()),
    "Int": st.one_of(
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.sampled_from([2**31, -(2**31) - 1, 2**31 - 1, -(2**31), 2**40]),
        st.booleans(),
    ),
    "Boolean": st.one_of(st.booleans(), st.integers(min_value=0, max_value=1)),
    "Float": st.one_of(st.floats(allow_nan=False), st.integers()),
    "Color": st.sampled_from(["RED", "BLUE"]),
    "[String]": st.lists(st.text(max_size=3), max_size=2),
}


def requests_for(definitions: list[tuple[str, str | None]]) -> st.SearchStrategy[list[dict[str, Any]]]:
    optional = {
        f"v{number}": st.one_of(OWN[type_.rstrip("!")], OWN[type_.rstrip("!")], VALUES)
        for number, (type_, _) in enumerate(definitions)
    }
    optional["extra"] = VALUES
    return st.lists(st.fixed_dictionaries({}, optional=optional), min_size=1, max_size=8)


CASES = drawn(
    DEFINITIONS.flatmap(lambda definitions: st.tuples(st.just(definitions), requests_for(definitions))), 150
)


class WithExtensions(Executor[Any]):
    """An executor class taking `operation_extensions`, as Strawberry's does."""

    def __init__(self, *args: Any, operation_extensions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation_extensions = operation_extensions


def document(definitions: list[tuple[str, str | None]]) -> str:
    """An operation with these variables (a default where it type-checks), which reads none of them."""
    parts = []
    for number, (type_, default) in enumerate(definitions):
        fits = {"String": '"x"', "ID": '"x"', "Int": "1", "Boolean": "true"}.get(type_)
        parts.append(
            f"$v{number}: {type_}" + (f" = {default}" if default is not None and default == fits else "")
        )
    signature = f"({', '.join(parts)})" if parts else ""
    return f"query Q{signature} {{ echo }}"


def sources(executor: Any) -> dict[str, Any]:
    """Each variable's source: its signature (made anew by each build) by what it says, and its value."""
    return {
        name: (
            source.signature.name,
            str(source.signature.type),
            source.signature.default_value,
            source.value,
        )
        for name, source in executor.variable_values.sources.items()
    }


def build(text: Any, raw: dict[str, Any] | None, context: Any = None) -> Any:
    return WithExtensions.build(
        SCHEMA, text, context_value=context, raw_variable_values=raw, operation_extensions={"x": 1}
    )


def test_kept_executors_coerce_as_build_coerces() -> None:
    fast = 0
    for definitions, requests in CASES:
        parsed = parse(document(definitions))
        operation = parsed.definitions[0]
        first = build(
            parsed, {f"v{number}": VALID[type_.rstrip("!")] for number, (type_, _) in enumerate(definitions)}
        )
        kept = KeptExecutors.of(first, operation)  # type: ignore[arg-type]
        for raw in requests:
            expected = build(parsed, raw, context="request")
            if kept is None:
                continue
            made = kept.executor(
                WithExtensions, "request", raw, is_awaitable=first.is_awaitable, operation_extensions={"x": 1}
            )
            if made is None:
                continue  # build's to make (and to refuse)
            fast += 1
            assert not isinstance(expected, list), (document(definitions), raw)
            assert made.variable_values.coerced == expected.variable_values.coerced
            assert sources(made) == sources(expected)
            for attribute in ("schema", "fragment_definitions", "fragments", "operation", "root_value"):
                assert getattr(made, attribute) == getattr(expected, attribute)
            assert made.context_value == expected.context_value == "request"
            assert made.operation_extensions == expected.operation_extensions  # type: ignore[attr-defined]
            assert made.field_resolver is expected.field_resolver
            assert made.type_resolver is expected.type_resolver
    assert fast > 100  # the kept path is the one tried, not only the fallback


def test_a_missing_nullable_variable_is_a_source_without_a_value() -> None:
    parsed = parse("query Q($a: String, $b: Int!) { echo }")
    first = build(parsed, {"b": 1})
    kept = KeptExecutors.of(first, parsed.definitions[0])  # type: ignore[arg-type]
    assert kept is not None
    coerced = kept.coerced({"b": 2})
    assert coerced is not None
    assert coerced.coerced == {"b": 2}
    assert coerced.sources["a"].value is Undefined
    assert kept.coerced({}) is None  # the required one missing: build refuses it in its words


def test_values_a_type_check_does_not_settle_are_left_to_build() -> None:
    parsed = parse("query Q($n: Int, $i: ID, $b: Boolean) { echo }")
    kept = KeptExecutors.of(build(parsed, {}), parsed.definitions[0])  # type: ignore[arg-type]
    assert kept is not None
    for settled in ({"n": 2**31 - 1}, {"n": -(2**31)}, {"i": "7"}, {"b": False}, {"n": None}):
        coerced = kept.coerced(settled)
        assert coerced is not None
        assert coerced.coerced == build(parsed, settled).variable_values.coerced
    # out of Int's range, a bool as Int, a number as ID (made a string), a number as Boolean
    for left in ({"n": 2**31}, {"n": -(2**31) - 1}, {"n": True}, {"n": 1.0}, {"i": 7}, {"b": 1}):
        assert kept.coerced(left) is None
