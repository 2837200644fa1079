"""A plan made for orjson's writer leaves UTC datetimes in the data: orjson must write each exactly as
the DateTime scalar's `isoformat()` does, or HTTP responses would change with the fast path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
from graphql import GraphQLScalarType
from hypothesis import given
from hypothesis import strategies as st

from fastgraph.leaves import inline

UTC_DATETIMES = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
)


@given(UTC_DATETIMES)
def test_orjson_writes_a_utc_datetime_as_isoformat_does(value: datetime) -> None:
    assert orjson.dumps(value) == orjson.dumps(value.isoformat())


def _completed(value: object) -> object:
    names: dict[str, object] = {}

    def constant(item: object) -> str:
        names[f"k{len(names)}"] = item
        return f"k{len(names) - 1}"

    scalar = GraphQLScalarType("DateTime", serialize=lambda v: v.isoformat())
    lines = inline(scalar, constant, datetime_as_is=True)
    namespace: dict[str, object] = {**names, "Fallback": Exception, "v": value}
    exec("\n".join(lines), namespace)  # noqa: S102 - the lines under test
    return namespace["v"]


@given(UTC_DATETIMES)
def test_a_utc_datetime_is_left_as_it_is(value: datetime) -> None:
    assert _completed(value) is value


@given(
    st.datetimes(timezones=st.just(timezone(timedelta(hours=5, minutes=30))))
    | st.datetimes(timezones=st.none())
)
def test_any_other_datetime_is_written_by_the_scalar(value: datetime) -> None:
    assert _completed(value) == value.isoformat()
