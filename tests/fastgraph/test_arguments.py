"""A field's arguments on the fast path (fastgraph/run._arguments: its literals and defaults kept per
plan field, its variables read per request) are graphql-core's: generated documents give each argument
as a variable, a literal, a variable inside a list, or leave it out (to its default or to nothing), and
each runs with a run of generated variables (each given, null or left out) through a kept plan and
through graphql-core's own executor; the answers (what the resolver got, or the errors) must agree,
request after request."""

from __future__ import annotations

import json
from typing import Any

from graphql import build_schema, execute, parse
from graphql.execution import Executor
from hypothesis import strategies as st

import fastgraph
from tests.drawn import drawn

SCHEMA = build_schema(
    """
    type Query {
      echo(a: String, b: Int = 5, c: String! = "c", d: [String], e: Boolean = true, f: Int!): String
    }
    """
)
# What the resolver got, as text: the answer compares it whole.
SCHEMA.query_type.fields["echo"].resolve = lambda _source, _info, **arguments: json.dumps(  # type: ignore[union-attr]
    arguments, sort_keys=True
)
ARGUMENTS = {"a": "String", "b": "Int", "c": "String!", "d": "[String]", "e": "Boolean", "f": "Int!"}
LITERALS = {"a": '"x"', "b": "7", "c": '"y"', "d": '["z"]', "e": "false", "f": "3"}
VALUES = {
    "String": st.one_of(st.text(max_size=3), st.text(max_size=3), st.none()),
    "Int": st.one_of(st.integers(min_value=-5, max_value=5), st.integers(), st.none()),
    "Boolean": st.one_of(st.booleans(), st.booleans(), st.none()),
}
# How each argument is given: a variable (of its own type, or nullable where the argument is not), a
# literal, inside a list, or not at all.
HOW = st.sampled_from(["variable"] * 4 + ["nullable variable", "literal", "literal", "in a list", "absent"])
CASES = drawn(
    st.tuples(
        st.fixed_dictionaries(dict.fromkeys(ARGUMENTS, HOW)),
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={name: VALUES[type_.strip("[]!")] for name, type_ in ARGUMENTS.items()},
            ),
            min_size=1,
            max_size=8,
        ),
    ),
    150,
)

COUNTERS = fastgraph.Counters()
FAST = fastgraph.executor_class(Executor, {}, counters=COUNTERS)


def document(ways: dict[str, str]) -> str:
    definitions, given = [], []
    for name, how in ways.items():
        type_ = ARGUMENTS[name]
        if how in ("variable", "nullable variable"):
            declared = type_.rstrip("!") if how == "nullable variable" else type_
            definitions.append(f"${name}: {declared}")
            given.append(f"{name}: ${name}")
        elif how == "literal":
            given.append(f"{name}: {LITERALS[name]}")
        elif how == "in a list" and type_ == "[String]":
            definitions.append(f"${name}: String")
            given.append(f"{name}: [${name}]")
    signature = f"({', '.join(definitions)})" if definitions else ""
    arguments = f"({', '.join(given)})" if given else ""
    return f"query Q{signature} {{ echo{arguments} }}"


def answer(result: Any) -> Any:
    return result.data, [error.message for error in result.errors or ()]


async def run(executor_class: Any, text: Any, variables: dict[str, Any]) -> Any:
    result = execute(SCHEMA, text, variable_values=variables, executor_class=executor_class)
    return answer(await result if hasattr(result, "__await__") else result)


async def test_arguments_on_the_fast_path_are_graphql_core_s_request_after_request() -> None:
    for ways, requests in CASES:
        text = parse(document(ways))  # one parse: its plan is kept between the requests
        for variables in requests:
            assert await run(FAST, text, variables) == await run(Executor, text, variables), (
                document(ways),
                variables,
            )
    assert COUNTERS.planned > 50  # served by kept plans, not only by graphql-core after a fall-back
