"""fastgraph on a small schema of its own: what the real data cannot reach. Every query is run by the
fast executor and by graphql-core's own; the data must agree byte for byte and the errors exactly
(any surprise hands the operation to graphql-core, which answers it from the start)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NewType

import orjson
import pytest
import strawberry
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from strawberry.schema.config import StrawberryConfig

import fastgraph
from fastgraph.collect import supported
from schema.fast_path import object_classes, plain_fields


@strawberry.type
class Item:
    name: str
    size: int
    tags: list[str]
    maybe: list[str | None] | None = None
    grid: list[list[int]] | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Moment:
    at: datetime


MOMENTS = [
    datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 12, 0, 1, 5, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(2026, 11, 26, 12, 0, 1, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 11, 26, 12, 0),
]


# A scalar whose output coercion answers None for some values (graphql-core refuses that).
Shy = NewType("Shy", str)
SCALARS = StrawberryConfig(
    scalar_map={
        Shy: strawberry.scalar(
            name="Shy", serialize=lambda value: None if value == "hide" else value, parse_value=str
        )
    }
)


@strawberry.type
class Odd:
    shy: Shy | None


@strawberry.type
class Broken:
    items: list[Item]


@strawberry.type
class Box:
    size: int


class BigBox(Box):
    """Not of exactly Box's class: the fast path leaves judging it to graphql-core."""


@strawberry.type
class Holder:
    box: Box


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Dog(Named):
    barks: bool


@strawberry.type
class Cat(Named):
    lives: int


@strawberry.type
class Thing:
    name: str

    @strawberry.field
    async def box(self, mode: str = "ok") -> Box:
        return _box(self, mode)  # type: ignore[return-value]

    @strawberry.field
    async def maybe_box(self, mode: str = "ok") -> Box | None:
        return _box(self, mode)

    @strawberry.field
    async def tardy_box(self, mode: str = "ok") -> Box | None:
        for _ in range(3):
            await asyncio.sleep(0)
        return _box(self, mode)


def _box(thing: Thing, mode: str) -> Box | None:
    if mode == "raise" and thing.name == "b":
        raise ValueError("the box failed")
    if mode == "null" and thing.name == "b":
        return None
    if mode == "bad" and thing.name == "b":
        return Box(size="many")  # type: ignore[arg-type]
    return Box(size=len(thing.name))


@strawberry.type
class Query:
    @strawberry.field
    def good(self) -> list[Item]:
        return [Item(name="a", size=1, tags=["x"]), Item(name="b", size=2, tags=[])]

    @strawberry.field
    def null_in_non_null(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[]), Item(name=None, size=2, tags=[])]  # type: ignore[arg-type]

    @strawberry.field
    def not_an_int(self) -> list[Item]:
        return [Item(name="a", size="many", tags=[])]  # type: ignore[arg-type]

    @strawberry.field
    def too_big_an_int(self) -> list[Item]:
        return [Item(name="a", size=2**40, tags=[])]

    @strawberry.field
    def not_a_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags="x")]  # type: ignore[arg-type]

    @strawberry.field
    def nested_lists(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[], maybe=["x", None], grid=[[1, 2], [], [3]])]

    @strawberry.field
    def tuple_not_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags=("x", "y"), maybe=("z", None))]  # type: ignore[arg-type]

    @strawberry.field
    def moments(self) -> list[Moment]:
        return [Moment(at=at) for at in MOMENTS]

    @strawberry.field
    def bad_moments(self) -> list[Moment]:
        return [Moment(at=MOMENTS[0]), Moment(at="soon")]  # type: ignore[arg-type]

    @strawberry.field
    def odds(self, hide: bool = False) -> list[Odd]:
        return [Odd(shy=Shy("show")), Odd(shy=Shy("hide" if hide else "show"))]

    @strawberry.field
    def null_in_plain_list(self) -> Broken:
        return Broken(items=[Item(name="a", size=1, tags=[]), None])  # type: ignore[list-item]

    @strawberry.field
    def null_item(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[]), None]  # type: ignore[list-item]

    @strawberry.field
    def holders(self, big: bool = False) -> list[Holder]:
        return [Holder(box=Box(size=1)), Holder(box=BigBox(size=2) if big else Box(size=2))]

    @strawberry.field
    def null_in_tags(self) -> list[Item]:
        return [Item(name="a", size=1, tags=["x", None])]  # type: ignore[list-item]

    @strawberry.field
    def not_a_tag(self) -> list[Item]:
        return [Item(name="a", size=1, tags=["x", 3])]  # type: ignore[list-item]

    @strawberry.field
    def null_in_nested_list(self) -> list[Item]:
        return [Item(name="a", size=1, tags=[], grid=[[1, None]])]  # type: ignore[list-item]

    @strawberry.field
    def things(self) -> list[Thing]:
        return [Thing(name="a"), Thing(name="b"), Thing(name="c")]

    @strawberry.field
    def maybe_things(self) -> list[Thing | None] | None:
        return [Thing(name="a"), Thing(name="b"), Thing(name="c")]

    @strawberry.field
    def pets(self) -> list[Named]:
        return [Dog(name="Rex", barks=True), Cat(name="Tom", lives=9)]

    @strawberry.field
    def greeting(self, name: str = "you") -> str:
        return f"Hello, {name}"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> int:
        return 1


STANDARD = strawberry.Schema(query=Query, mutation=Mutation, types=[Dog, Cat], config=SCALARS)
FAST = strawberry.Schema(query=Query, mutation=Mutation, types=[Dog, Cat], config=SCALARS)
COUNTERS = fastgraph.Counters()
FAST.execution_context_class = fastgraph.executor_class(
    FAST.execution_context_class, plain_fields(FAST, {}), object_classes(FAST), COUNTERS
)


async def both(query: str, variables: dict[str, Any] | None = None) -> tuple[Any, fastgraph.Counters]:
    before = fastgraph.Counters(**vars(COUNTERS))
    fast = await FAST.execute(query, variable_values=variables)
    after = fastgraph.Counters(**vars(COUNTERS))
    standard = await STANDARD.execute(query, variable_values=variables)
    assert orjson.dumps(fast.data) == orjson.dumps(standard.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in standard.errors or []]
    return fast, fastgraph.Counters(
        after.served - before.served,
        after.not_eligible - before.not_eligible,
        after.fell_back - before.fell_back,
    )


SERVED = fastgraph.Counters(served=1)
FELL_BACK = fastgraph.Counters(fell_back=1)
NOT_ELIGIBLE = fastgraph.Counters(not_eligible=1)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("good", SERVED),
        ("nullInNonNull", FELL_BACK),
        ("notAnInt", FELL_BACK),
        ("tooBigAnInt", FELL_BACK),
        ("notAList", FELL_BACK),
        ("nestedLists", SERVED),
        ("tupleNotList", SERVED),
        ("nullInNestedList", FELL_BACK),
        ("nullInTags", FELL_BACK),
        ("notATag", SERVED),  # String's output coercion writes 3 as "3"
        ("nullItem", FELL_BACK),
    ],
)
async def test_plain_values_answer_or_fall_back_to_the_same_errors(field: str, expected: Any) -> None:
    query = f"{{ {field} {{ __typename name size tags maybe grid shout }} t: {field} {{ __typename }} }}"
    _, counted = await both(query)
    assert counted == expected


@pytest.mark.parametrize("selection", ["__typename", "name"])
async def test_a_null_in_a_list_of_plain_objects_falls_back_to_the_same_error(selection: str) -> None:
    result, counted = await both(f"{{ nullInPlainList {{ items {{ {selection} }} }} }}")
    assert result.errors
    assert counted == FELL_BACK


async def test_dates_are_written_as_their_scalar_writes_them_in_any_zone() -> None:
    result, counted = await both("{ moments { at } }")
    assert result.data == {"moments": [{"at": at.isoformat()} for at in MOMENTS]}
    assert counted == SERVED


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ badMoments { at } }", FELL_BACK),
        ("{ odds { shy } }", SERVED),
        ("{ odds(hide: true) { shy } }", FELL_BACK),
        ("{ holders { box { size } } }", SERVED),
        ("{ holders(big: true) { box { size } } }", FELL_BACK),
    ],
)
async def test_refused_scalars_and_foreign_classes_fall_back_to_the_same_answer(
    query: str, expected: Any
) -> None:
    _, counted = await both(query)
    assert counted == expected


@pytest.mark.parametrize("mode", ["ok", "raise", "null", "bad"])
@pytest.mark.parametrize("field", ["things", "maybeThings"])
async def test_async_resolvers_answer_and_fail_like_the_standard_executor(mode: str, field: str) -> None:
    query = (
        f'{{ {field} {{ name box(mode: "{mode}") {{ size }} maybeBox(mode: "{mode}") {{ size }} '
        f'tardyBox(mode: "{mode}") {{ size }} }} }}'
    )
    result, counted = await both(query)
    assert bool(result.errors) == (mode != "ok")
    assert counted == (SERVED if mode == "ok" else FELL_BACK)


async def test_fragments_aliases_and_skip_include_follow_the_document() -> None:
    query = """
    query ($yes: Boolean!, $no: Boolean!) {
      good {
        ...Parts n2: name @include(if: $yes) gone: name @skip(if: $yes)
        ... on Item @include(if: $no) { x: size }
      }
      a: greeting(name: "Ada") b: greeting
      pets { __typename ... on Dog { barks } ... on Cat { lives } ...Names }
    }
    fragment Parts on Item { name ...More }
    fragment More on Item { tags }
    fragment Names on Named { name }
    """
    result, counted = await both(query, {"yes": True, "no": False})
    assert counted == SERVED
    assert result.data["a"] == "Hello, Ada"
    assert result.data["pets"][1] == {"__typename": "Cat", "name": "Tom", "lives": 9}


@pytest.mark.parametrize(
    "query",
    [
        "mutation { touch }",
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Item") { name } }',
    ],
    ids=["mutation", "schema introspection", "type introspection"],
)
async def test_what_it_does_not_implement_goes_to_graphql_core(query: str) -> None:
    result, counted = await both(query)
    assert result.errors is None
    assert counted in (NOT_ELIGIBLE, FELL_BACK)


async def test_nothing_keeps_running_after_a_fall_back() -> None:
    # `box` fails at once for "b"; the tardy boxes started beside it are cancelled, not left running
    await both('{ things { tardyBox { size } box(mode: "raise") { size } } }')
    current = asyncio.current_task()
    assert [task for task in asyncio.all_tasks() if task is not current] == []


@pytest.mark.parametrize(
    ("document", "answered_here"),
    [
        ("{ items { name @skip(if: false) } }", True),
        ("{ items { ... @defer { name } } }", False),
        ("{ items { ...Deep } } fragment Deep on Item { tags @stream }", False),
        ("{ items { ... on Item { ... on Item { name @defer } } } }", False),
        ("query @defer { items { name } }", False),
        ("mutation { items { name } }", False),
    ],
)
def test_operations_with_directives_it_does_not_implement_are_left_to_graphql_core(
    document: str, answered_here: bool
) -> None:
    parsed = parse(document)
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    assert supported(operations[0], fragments) is answered_here


async def test_an_executor_class_serves_the_one_schema_of_its_first_operation() -> None:
    # given: an executor class that has answered for one schema (with and without the datetime writer)
    first = strawberry.Schema(query=Query, types=[Dog, Cat], config=SCALARS)
    second = strawberry.Schema(query=Query, types=[Dog, Cat], config=SCALARS)
    executor = fastgraph.executor_class(
        first.execution_context_class,
        plain_fields(first, {}),
        object_classes(first),
        for_writer=lambda context: context == "writer",
    )
    first.execution_context_class = second.execution_context_class = executor
    for context in ("writer", "other"):
        assert (await first.execute("{ pets { name } }", context_value=context)).errors is None
    # when / then: another schema's operation is refused (Strawberry reports the error), whichever shape
    for context in ("writer", "other"):
        result = await second.execute("{ pets { name } }", context_value=context)
        assert [e.message for e in result.errors or []] == [
            "a fastgraph executor class serves one schema; make one per schema"
        ]
