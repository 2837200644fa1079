"""Hostile documents: the limits are measured in time linear in the document, refuse what they should
before anything runs, and every worst case the benchmark uses gets a typed answer over HTTP.

Linear time is asserted structurally, not by the clock: the limits measure each selection set of the
document at most once, however often its fragment is spread (a timed test would only say how busy the
machine was; bench/hostile.py gives the figures).
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_variable_values,
    parse,
)
from hypothesis import given
from hypothesis import strategies as st

from bench.hostile_documents import Budget, documents
from db.pool import Connection
from schema import limits
from schema.build import schema
from tests.conftest import ClientFactory, make_settings
from tests.drawn import properties
from tests.factories import bearer, staff_token

SETTINGS = make_settings()


TYPED_CODES = {
    "QUERY_TOO_COMPLEX",
    "QUERY_TOO_LARGE",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "BAD_REQUEST",
}


def selection_sets(document: DocumentNode) -> int:
    """How many selection sets the document holds, as written."""
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    count = 0
    while stack:
        current = stack.pop()
        count += 1
        stack += [
            s.selection_set
            for s in current.selections
            if isinstance(s, FieldNode | InlineFragmentNode) and s.selection_set is not None
        ]
    return count


class Counted:
    """Counts the limits' visits to selection sets while a check runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.visits = 0
        original = limits._Measure.selection_set

        def counting(measure: Any, selection_set: SelectionSetNode | None) -> limits.Shape:
            if selection_set is not None:
                self.visits += 1
            return original(measure, selection_set)

        monkeypatch.setattr(limits._Measure, "selection_set", counting)


@st.composite
def fragment_graphs(draw: st.DrawFn) -> str:
    """A document whose fragments spread later fragments, any number of times each (a DAG)."""
    count = draw(st.integers(min_value=1, max_value=45))
    fragments = []
    for index in range(count):
        later = list(range(index + 1, count))
        spreads = draw(st.lists(st.sampled_from(later), max_size=4)) if later else []
        spread_text = " ".join(f"...F{target}" for target in spreads)
        fragments.append(f"fragment F{index} on Query {{ viewer {{ kind }} {spread_text} }}")
    return "query Graph { ...F0 } " + " ".join(fragments)


@properties(60)
@given(fragment_graphs())
def test_every_selection_set_is_measured_at_most_once(text: str) -> None:
    document = parse(text)
    with pytest.MonkeyPatch.context() as monkeypatch:
        counted = Counted(monkeypatch)
        limits.document_limits(document, SETTINGS)
    assert counted.visits <= selection_sets(document)


@properties(30)
@given(st.integers(min_value=4, max_value=49))
def test_a_fan_out_is_refused_for_what_it_would_expand_to(levels: int) -> None:
    # Fragment i spreads fragment i+1 twice: viewer would be asked for 2^levels times; the first
    # fragment found asking for it more than MAX_FIELD_REPEATS times is named.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    document = parse(f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ viewer {{ kind }} }}")
    (error,) = limits.document_limits(document, SETTINGS)
    assert error.extensions is not None
    assert error.extensions["code"] == "QUERY_TOO_COMPLEX"
    assert error.extensions["limit"] == "MAX_FIELD_REPEATS"
    assert error.extensions["actual"] > SETTINGS.max_field_repeats


@properties(30)
@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=39))
def test_a_cycle_of_any_length_is_refused(length: int, entry: int) -> None:
    ring = " ".join(
        f"fragment C{i} on Query {{ viewer {{ kind }} ...C{(i + 1) % length} }}" for i in range(length)
    )
    document = parse(f"{{ ...C{entry % length} }} {ring}")
    (error,) = limits.document_limits(document, SETTINGS)
    assert "cycle" in error.message
    assert error.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}


def _fragments(count: int) -> str:
    definitions = " ".join(f"fragment D{i} on Query {{ viewer {{ kind }} }}" for i in range(count))
    spreads = " ".join(f"...D{i}" for i in range(count))
    return f"{{ {spreads} }} {definitions}"


@pytest.mark.parametrize(
    ("text", "overrides", "limit"),
    [
        pytest.param(_fragments(3), {"max_fragments": 2}, "MAX_FRAGMENTS", id="fragments"),
        pytest.param(_fragments(3), {"max_fragment_spreads": 2}, "MAX_FRAGMENT_SPREADS", id="spreads"),
        pytest.param(
            " ".join(f"query Q{i} {{ viewer {{ kind }} }}" for i in range(3)),
            {"max_operations": 2},
            "MAX_OPERATIONS",
            id="operations",
        ),
        pytest.param(
            "{ viewer { kind kind kind } }", {"max_field_repeats": 2}, "MAX_FIELD_REPEATS", id="repeats"
        ),
    ],
)
def test_each_count_is_refused_one_over_its_setting(text: str, overrides: dict[str, int], limit: str) -> None:
    document = parse(text)
    at_limit = make_settings(**{name: value + 1 for name, value in overrides.items()})
    over = make_settings(**overrides)
    assert limits.document_limits(document, at_limit) == []
    (error,) = limits.document_limits(document, over)
    assert error.extensions is not None
    assert error.extensions["limit"] == limit
    assert error.extensions["maximum"] == next(iter(overrides.values()))
    assert limit in error.message


@properties(25)
@given(st.integers(min_value=0, max_value=100))
def test_a_variable_page_size_is_priced_at_its_value(size: int) -> None:
    document = parse("query Page($n: Int) { carriers(first: $n) { totalCount } }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    variables = get_variable_values(schema._schema, operation.variable_definitions or (), {"n": size})
    assert not isinstance(variables, list)
    just_enough = make_settings(max_query_cost=1 + size)
    too_little = make_settings(max_query_cost=size)
    assert limits.operation_cost(schema._schema, document, operation, variables, just_enough) is None
    refusal = limits.operation_cost(schema._schema, document, operation, variables, too_little)
    assert refusal is not None
    assert refusal.extensions is not None
    assert refusal.extensions["actual"] == 1 + size


CREATE_WITH_PAGE = """
mutation Create($n: Int) {
  createOrganization(input: {name: "Never Made"}) {
    ... on OrganizationPayload { organization { carriers(first: $n) { totalCount } } }
  }
}
"""


@properties(15)
@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=101)))
def test_page_sizes_out_of_range(size: int) -> None:
    assert not 0 <= size <= SETTINGS.max_page_size
    # The refusal of every such size is exercised over HTTP below; here, that pricing refuses it.
    document = parse(CREATE_WITH_PAGE)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    variables = get_variable_values(schema._schema, operation.variable_definitions or (), {"n": size})
    if isinstance(variables, list):
        return  # beyond a 32-bit Int: the variable itself is refused
    refusal = limits.operation_cost(schema._schema, document, operation, variables, SETTINGS)
    assert refusal is not None
    assert refusal.extensions == {"code": "BAD_USER_INPUT", "argument": "first", "limit": 100}


@pytest.mark.parametrize("size", [-1, 101, 1_000_000])
async def test_an_out_of_range_page_size_runs_nothing(
    make_client: ClientFactory, conn: Connection, size: int
) -> None:
    client = await make_client()
    response = await client.post(
        "/graphql", json={"query": CREATE_WITH_PAGE, "variables": {"n": size}}, headers=bearer(staff_token())
    )
    body = await response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await conn.fetchval("select count(*) from organizations where name = 'Never Made'") == 0


async def test_a_sibling_of_an_out_of_range_page_does_not_run(make_client: ClientFactory) -> None:
    client = await make_client()
    query = "{ viewer { kind } carriers(first: 1000000) { totalCount } }"
    body = await (await client.post("/graphql", json={"query": query}, headers=bearer(staff_token()))).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["argument"] == "first"


def worst_cases() -> list[Any]:
    budget = Budget(bytes=SETTINGS.max_body_bytes, tokens=SETTINGS.max_tokens)
    return [pytest.param(hostile, id=hostile.name) for hostile in documents(budget)]


@pytest.mark.parametrize("hostile", worst_cases())
async def test_every_worst_case_gets_a_typed_answer(make_client: ClientFactory, hostile: Any) -> None:
    client = await make_client()
    response = await client.post(
        "/graphql",
        data=hostile.body.json,
        headers={**bearer(staff_token()), "Content-Type": "application/json"},
    )
    assert response.status < 500
    body = await response.json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    assert codes <= TYPED_CODES, body
