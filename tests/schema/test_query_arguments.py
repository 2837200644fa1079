"""Query arguments that would upset PostgreSQL are refused as BAD_USER_INPUT, never a masked 500."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQL
from tests.factories import bearer, staff_token

CASES = [
    ('{ carriers(search: "a\\u0000b") { totalCount } }', "search"),
    ('{ carrier(code: "A\\u0000") { code } }', "code"),
    ('{ organizations(search: "\\u0000") { totalCount } }', "search"),
    ('{ activity(actorId: "x\\u0000") { totalCount } }', "actorId"),
    ('{ activity(action: "carrier.create\\u0000") { totalCount } }', "action"),
    ('{ activity(since: "2026-01-01T00:00:00") { totalCount } }', "since"),
    ('{ activity(until: "2026-01-01T00:00:00") { totalCount } }', "until"),
    (f'{{ carriers(search: "{"x" * 201}") {{ totalCount }} }}', "search"),
]


@pytest.mark.parametrize(("query", "argument"), CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
async def test_bad_query_arguments_are_bad_user_input(graphql: GraphQL, query: str, argument: str) -> None:
    body = await graphql(query, headers=bearer(staff_token()))
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument
    assert f"`{argument}`" in error["message"]


async def test_times_with_a_zone_are_fine(graphql: GraphQL) -> None:
    body = await graphql(
        '{ activity(since: "2026-01-01T00:00:00Z", until: "2027-01-01T00:00:00+01:00") { totalCount } }',
        headers=bearer(staff_token()),
    )
    assert "errors" not in body, body
