"""Lists of views of rows (fastgraph/rows.py) on a small schema of its own: a list whose selection reads
only the row is built from the rows, and must answer exactly as graphql-core does over the views,
errors included, for generated rows (unknown codes, nulls where none may be, values of the wrong type)
and generated selections; anything else is answered from the views."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import strawberry
from hypothesis import strategies as st

import fastgraph
from fastgraph import RowRead, RowView, RowViews
from schema.fast_path import object_classes, plain_fields, row_reads
from schema.row_fields import reads
from tests.drawn import drawn

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


COLORS = {"r": Color.RED, "g": Color.GREEN}
# A mapping with None among its keys, as an enablement's setting has (None: inherit).
SETTINGS = {None: Color.RED, True: Color.GREEN, False: None}


@dataclass
class Row:
    name: Any
    code: Any
    codes: Any
    setting: Any
    tag_id: Any
    until: Any

    def left(self, now: datetime) -> Any:
        return (self.until - now).days if isinstance(self.until, datetime) else self.until


@strawberry.type
class Tag:
    name: str


@strawberry.type
class Entry:
    row: strawberry.Private[Row]
    tags: strawberry.Private[dict[int, Tag]]

    name: str = reads("row.name", description="As it is.")
    color: Color = reads("row.code", through=COLORS, description="Through a mapping to an enum.")
    colors: list[Color] = reads("row.codes", each=COLORS, description="Each item through it.")
    setting: Color | None = reads("row.setting", through=SETTINGS, description="None among its keys.")
    tag: Tag = reads("row.tag_id", looked_up_in="tags", description="In the view's other attribute.")
    loud: str = reads("row.name", via=lambda name: f"{name}!", description="Through a function.")

    @strawberry.field
    def other(self) -> str:
        return "not the row's"


@strawberry.type
class Deadline:
    row: strawberry.Private[Row]
    now: strawberry.Private[datetime]

    days_left: int | None = reads("row.left", call_with="now", description="A method of the row.")
    until: datetime | None = reads("row.until", description="A datetime.")


TAGS = {1: Tag(name="one"), 2: Tag(name="two")}


def rows_of(values: list[dict[str, Any]]) -> list[Row]:
    return [Row(**value) for value in values]


@strawberry.type
class Query:
    @strawberry.field
    def entries(self, info: strawberry.Info) -> list[Entry]:
        return RowViews(rows_of(info.context["rows"]), RowView(Entry, "tags", TAGS))  # type: ignore[return-value]

    @strawberry.field
    def deadlines(self, info: strawberry.Info) -> list[Deadline]:
        return RowViews(rows_of(info.context["rows"]), RowView(Deadline, "now", NOW))  # type: ignore[return-value]

    @strawberry.field
    def maybe_entries(self, info: strawberry.Info) -> list[Entry | None] | None:
        return RowViews(rows_of(info.context["rows"]), RowView(Entry, "tags", TAGS))  # type: ignore[return-value]


STANDARD = strawberry.Schema(query=Query)
FAST = strawberry.Schema(query=Query)
COUNTERS = fastgraph.Counters()
FAST.execution_context_class = fastgraph.executor_class(
    FAST.execution_context_class,
    plain_fields(FAST, {}),
    object_classes(FAST),
    COUNTERS,
    row_reads=row_reads(FAST, {}),
)


async def both(query: str, rows: list[dict[str, Any]]) -> tuple[Any, fastgraph.Counters]:
    before = fastgraph.Counters(**vars(COUNTERS))
    fast = await FAST.execute(query, context_value={"rows": rows})
    counted = fastgraph.Counters(
        *(a - b for a, b in zip(vars(COUNTERS).values(), vars(before).values(), strict=True))
    )
    standard = await STANDARD.execute(query, context_value={"rows": rows})
    assert orjson.dumps(fast.data) == orjson.dumps(standard.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in standard.errors or []]
    return fast, counted


GOOD = {"name": "a", "code": "r", "codes": ["g", "r"], "setting": None, "tag_id": 1, "until": None}
ENTRY_FIELDS = ["__typename", "name", "color", "colors", "setting", "tag { name }", "loud"]


async def test_a_list_read_only_from_rows_is_built_from_them() -> None:
    query = "{ entries { name color colors setting tag { name } loud } deadlines { daysLeft until } }"
    rows: list[dict[str, Any]] = [
        GOOD,
        {**GOOD, "setting": False, "tag_id": 2, "until": NOW + timedelta(days=3)},
    ]
    result, counted = await both(query, rows)
    assert result.data["entries"][1] == {
        "name": "a",
        "color": "RED",
        "colors": ["GREEN", "RED"],
        "setting": None,
        "tag": {"name": "two"},
        "loud": "a!",
    }
    assert result.data["deadlines"][1] == {"daysLeft": 3, "until": (NOW + timedelta(days=3)).isoformat()}
    assert (counted.served, counted.from_rows) == (1, 2)


async def test_an_object_shared_by_rows_is_built_once_for_each_selection_of_it() -> None:
    # The same tags, reached by two lists whose selections of them differ: each answers its own.
    query = "{ entries { tag { name } } again: entries { tag { __typename } } }"
    result, counted = await both(query, [GOOD, {**GOOD, "tag_id": 2}, GOOD])
    assert result.data["again"] == [{"tag": {"__typename": "Tag"}}] * 3
    assert [entry["tag"] for entry in result.data["entries"]] == [
        {"name": "one"},
        {"name": "two"},
        {"name": "one"},
    ]
    assert counted.from_rows == 2


@pytest.mark.parametrize(
    "query",
    [
        "{ entries { name other } }",  # a field that is not the row's: the views answer
        "{ maybeEntries { name } }",  # a list of nullable items: the views answer
        "{ entries { name } again: entries { other } }",
    ],
)
async def test_a_selection_reading_more_than_the_row_is_answered_from_the_views(query: str) -> None:
    result, counted = await both(query, [GOOD, GOOD])
    assert result.errors is None
    assert counted.served == 1
    assert counted.from_rows == (1 if "again" in query else 0)


# Rows as a careless repository might make them, now and then: unknown codes, nulls, values of other
# types (each rare, so that many lists hold one surprise or none, and are built from their rows).
def mostly(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(good * 6 + bad)


ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "name": mostly(["a", "", "ü"], [None, 3]),
            "code": mostly(["r", "g"], ["x", None]),
            "codes": mostly(
                [["r"], ["g", "r"], [], ("g",), ["r", "r", "g"]], [["x"], None, "rg", [None], [["r"]]]
            ),
            "setting": mostly([None, True, False], ["y"]),
            "tag_id": mostly([1, 2], [3, None]),
            "until": mostly([None, NOW + timedelta(days=2)], ["soon", NOW.replace(tzinfo=None)]),
        }
    ),
    max_size=3,
)
SELECTIONS = st.lists(st.sampled_from(ENTRY_FIELDS), min_size=1, max_size=4, unique=True)


async def test_generated_rows_answer_as_graphql_core_answers_over_the_views() -> None:
    from_rows = 0
    for rows, fields in drawn(st.tuples(ROWS, SELECTIONS), 300):
        query = f"{{ entries {{ {' '.join(fields)} }} deadlines {{ daysLeft until }} }}"
        _, counted = await both(query, rows)
        from_rows += counted.from_rows
    # Most were built from their rows: the comparison is not of graphql-core with itself.
    assert from_rows > 300


async def test_lists_of_enum_values_answer_alike_past_the_plans_memo_of_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A plan keeps the outputs of a few combinations of a list's values (a key's scopes), shared by the
    # rows that repeat one; past its bound (here 2, in a document of its own) each is made as it comes.
    monkeypatch.setattr(fastgraph.plan, "MEMO_SIZE", 2)
    combinations = drawn(st.lists(st.lists(st.sampled_from("rg"), max_size=5), min_size=1, max_size=12), 40)
    for n, codes in enumerate(combinations):
        values = codes + codes[::-1]
        rows = [{**GOOD, "codes": value} for value in values]
        result, counted = await both(f"{{ entries {{ colors }} memo{n}: entries {{ colors }} }}", rows)
        assert counted.from_rows == 2
        names = {"r": "RED", "g": "GREEN"}
        assert result.data["entries"] == [{"colors": [names[c] for c in value]} for value in values]


def test_a_row_read_takes_one_step_after_its_chain() -> None:
    with pytest.raises(ValueError, match="one step"):
        RowRead("code", through=COLORS, via=str)
    with pytest.raises(ValueError, match="attribute name"):
        RowRead("code; import os")
    with pytest.raises(ValueError, match="only a read of `row"):
        reads("bucket.count", via=str, description="")


def test_row_views_are_made_once_when_first_read() -> None:
    made: list[int] = []

    @dataclass
    class View:
        row: int
        extra: int

        def __post_init__(self) -> None:
            made.append(self.row)

    views = RowViews([1, 2, 3], RowView(View, "extra", 0))
    assert len(views) == 3
    assert not views.viewed
    assert made == []
    assert [view.row for view in views] == [1, 2, 3]
    assert views.viewed
    assert views[0] is next(iter(views))
    assert made == [1, 2, 3]
    assert views == [View(1, 0), View(2, 0), View(3, 0)]
