"""Cursor pagination of the graph's lists: root `carriers`, `Organization.carriers`, `Carrier.apiKeys`,
`Carrier.activity` and root `changeRequests`.

Every list is exercised by the same tests through a `ListCase`: it makes a parent (or a caller whose
reach is the list) and adds items at a "rank", the item's position in the list's order. Items are
added at ranks 10, 20, 30, ... so that later inserts can land between them.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from access import keyformat
from db.pagination import Cursor
from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.factories import admin_token, bearer, staff_token

PAGE_FIELDS = """
  totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id } }
  nodes { id }
"""

ROOT_CARRIERS = f"""
query Page($first: Int, $after: String, $last: Int, $before: String) {{
  carriers(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_FIELDS} }}
}}
"""

ORGANIZATION_CARRIERS = f"""
query Page($parent: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  organization(id: $parent) {{
    carriers(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_FIELDS} }}
  }}
}}
"""

CARRIER_API_KEYS = f"""
query Page($parent: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  carrier(id: $parent) {{
    apiKeys(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_FIELDS} }}
  }}
}}
"""

CARRIER_ACTIVITY = f"""
query Page($parent: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  carrier(id: $parent) {{
    activity(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_FIELDS} }}
  }}
}}
"""

CHANGE_REQUESTS = f"""
query Page($first: Int, $after: String, $last: Int, $before: String) {{
  changeRequests(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_FIELDS} }}
}}
"""

CARRIER_CODES_PAGE = """
query Page($first: Int, $after: String) {
  carriers(first: $first, after: $after) { edges { cursor node { code } } nodes { code } }
}
"""

RANKS = (10, 20, 30, 40, 50, 60, 70)

BASE_TIME = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Parent:
    """Where a list lives: the query variables naming it, who reads it, and the raw parent id."""

    variables: dict[str, Any]
    headers: dict[str, str]
    row_id: uuid.UUID
    tag: str


@dataclass(frozen=True)
class ListCase:
    name: str
    document: str
    path: tuple[str, ...]
    make_parent: Callable[[Connection], Awaitable[Parent]]
    # Adds an item at `rank` (a position in the list's order); returns its global id.
    add_item: Callable[[Connection, Parent, int], Awaitable[str]]

    def __str__(self) -> str:
        return self.name


async def organization_parent(conn: Connection) -> Parent:
    org_id = await factories.organization(conn)
    return Parent(
        variables={"parent": to_global_id("Organization", org_id)},
        headers=bearer(staff_token()),
        row_id=org_id,
        tag=factories.unique_code("")[-4:],
    )


async def reach_parent(conn: Connection) -> Parent:
    """Root `carriers` as an administrator of one organization: the list is that organization's."""
    org_id = await factories.organization(conn)
    return Parent(
        variables={},
        headers=bearer(admin_token(organizations=[org_id])),
        row_id=org_id,
        tag=factories.unique_code("")[-4:],
    )


async def add_carrier(conn: Connection, parent: Parent, rank: int) -> str:
    # code order is rank order: "P" + three-digit rank + a tag that keeps codes unique
    carrier_id = await factories.carrier(conn, f"P{rank:03d}X{parent.tag}", organization_id=parent.row_id)
    return to_global_id("Carrier", carrier_id)


async def carrier_parent(conn: Connection) -> Parent:
    carrier_id = await factories.carrier(conn)
    return Parent(
        variables={"parent": to_global_id("Carrier", carrier_id)},
        headers=bearer(staff_token()),
        row_id=carrier_id,
        tag="",
    )


async def insert_key(
    conn: Connection,
    carrier_id: uuid.UUID,
    created_at: datetime,
    *,
    expires_at: datetime | None = None,
) -> uuid.UUID:
    """An API key row (factories.api_key fails to prepare: its $7 is both a timestamptz and text)."""
    issued = keyformat.generate("test")
    key_id: uuid.UUID = await conn.fetchval(
        """insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                                 created_at, expires_at, created_by_kind, created_by_id)
           values ($1, 'Pagination test key', $2, $3, 'test', '{keys:read}', $4, $5, 'system', 'test')
           returning id""",
        carrier_id,
        issued.secret_hash,
        issued.hint,
        created_at,
        expires_at or created_at + timedelta(days=3650),
    )
    return key_id


async def add_api_key(conn: Connection, parent: Parent, rank: int) -> str:
    # oldest first: a later creation time is a later position
    key_id = await insert_key(conn, parent.row_id, BASE_TIME + timedelta(seconds=rank))
    return to_global_id("ApiKey", key_id)


async def insert_activity(conn: Connection, carrier_id: uuid.UUID | None, occurred_at: datetime) -> uuid.UUID:
    event_id: uuid.UUID = await conn.fetchval(
        """insert into activity_log (occurred_at, actor_kind, actor_id, actor_name, actor_is_staff, action,
                                     target_type, target_id, carrier_id)
           values ($1, 'system', 'test', 'Test', false, 'carrier.update', 'Carrier', $2, $2)
           returning id""",
        occurred_at,
        carrier_id,
    )
    return event_id


async def add_activity(conn: Connection, parent: Parent, rank: int) -> str:
    # newest first: an earlier time is a later position
    event_id = await insert_activity(conn, parent.row_id, BASE_TIME - timedelta(seconds=rank))
    return to_global_id("ActivityEvent", event_id)


async def requester_parent(conn: Connection) -> Parent:
    """Root `changeRequests` as an administrator: the list is their own requests."""
    subject = f"requester-{uuid.uuid4()}"
    return Parent(
        variables={}, headers=bearer(admin_token(subject=subject)), row_id=uuid.uuid4(), tag=subject
    )


async def insert_change_request(
    conn: Connection, requester: str, requested_at: datetime, **columns: Any
) -> uuid.UUID:
    """A request to Support by `requester` (an administrator's subject); `columns` override the rest."""
    values: dict[str, Any] = {
        "kind": "detach_carrier",
        "summary": "Take a carrier out of its organization",
        "carrier_ids": [],
        "organization_id": None,
        "state": "open",
        "expires_at": requested_at + timedelta(days=3650),
        **columns,
    }
    request_id: uuid.UUID = await conn.fetchval(
        """insert into change_requests (kind, proposed, summary, reason, carrier_ids, organization_id,
                                        requested_by_kind, requested_by_id, requested_at, expires_at, state,
                                        decided_at)
           values ($1, '{}', $2, 'paging', $3, $4, 'admin', $5, $6::timestamptz, $7, $8::text,
                   case when $8::text = 'open' then null else $6::timestamptz end) returning id""",
        values["kind"],
        values["summary"],
        values["carrier_ids"],
        values["organization_id"],
        requester,
        requested_at,
        values["expires_at"],
        values["state"],
    )
    return request_id


async def add_change_request(conn: Connection, parent: Parent, rank: int) -> str:
    # newest first: an earlier time is a later position
    request_id = await insert_change_request(conn, parent.tag, BASE_TIME - timedelta(seconds=rank))
    return to_global_id("ChangeRequest", request_id)


CASES = [
    ListCase("Query.carriers", ROOT_CARRIERS, ("carriers",), reach_parent, add_carrier),
    ListCase(
        "Organization.carriers",
        ORGANIZATION_CARRIERS,
        ("organization", "carriers"),
        organization_parent,
        add_carrier,
    ),
    ListCase("Carrier.apiKeys", CARRIER_API_KEYS, ("carrier", "apiKeys"), carrier_parent, add_api_key),
    ListCase("Carrier.activity", CARRIER_ACTIVITY, ("carrier", "activity"), carrier_parent, add_activity),
    ListCase(
        "Query.changeRequests", CHANGE_REQUESTS, ("changeRequests",), requester_parent, add_change_request
    ),
]


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> ListCase:
    chosen: ListCase = request.param
    return chosen


async def post(
    client: TestClient[Any, Any], document: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """The decoded body; a field error is an answer, so the status is 200 whatever the arguments."""
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def read_page(
    client: TestClient[Any, Any], case: ListCase, parent: Parent, **arguments: Any
) -> dict[str, Any]:
    body = await post(client, case.document, {**parent.variables, **arguments}, parent.headers)
    assert "errors" not in body, body["errors"]
    page: Any = body["data"]
    for name in case.path:
        page = page[name]
    assert isinstance(page, dict)
    # edges and nodes list the same items; the page's cursors are its first and last edge's
    assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
    cursors = [e["cursor"] for e in page["edges"]]
    assert page["pageInfo"]["startCursor"] == (cursors[0] if cursors else None)
    assert page["pageInfo"]["endCursor"] == (cursors[-1] if cursors else None)
    return page


async def read_error(
    client: TestClient[Any, Any], case: ListCase, parent: Parent, **arguments: Any
) -> dict[str, Any]:
    """The single field error that the arguments give, located at the list field."""
    body = await post(client, case.document, {**parent.variables, **arguments}, parent.headers)
    (error,) = body["errors"]
    assert error["path"] == list(case.path), error
    error_details: dict[str, Any] = error
    return error_details


async def read_refusal(
    client: TestClient[Any, Any], case: ListCase, parent: Parent, **arguments: Any
) -> dict[str, Any]:
    """The refusal of a page size out of range: the whole operation, before anything runs."""
    body = await post(client, case.document, {**parent.variables, **arguments}, parent.headers)
    assert "data" not in body, body
    (error,) = body["errors"]
    assert "path" not in error, error
    error_details: dict[str, Any] = error
    return error_details


def ids(page: dict[str, Any]) -> list[str]:
    return [n["id"] for n in page["nodes"]]


async def filled(
    conn: Connection, case: ListCase, ranks: tuple[int, ...] = RANKS
) -> tuple[Parent, list[str]]:
    """A parent with items at `ranks`, inserted out of order; the items' ids in list order."""
    parent = await case.make_parent(conn)
    by_rank = {rank: await case.add_item(conn, parent, rank) for rank in sorted(ranks, key=lambda r: r % 3)}
    return parent, [by_rank[rank] for rank in sorted(ranks)]


async def test_forward_pages_walk_the_whole_list(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    # given
    parent, expected = await filled(conn, case)

    # when: pages of 3, each after the previous page's end cursor
    pages = [await read_page(client, case, parent, first=3)]
    while pages[-1]["pageInfo"]["hasNextPage"]:
        assert len(pages) < 5, "the walk does not end"
        pages.append(await read_page(client, case, parent, first=3, after=pages[-1]["pageInfo"]["endCursor"]))

    # then: every item once, in order, the whole list's size on every page
    assert [ids(p) for p in pages] == [expected[0:3], expected[3:6], expected[6:7]]
    assert [p["totalCount"] for p in pages] == [7, 7, 7]
    assert [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]


async def test_a_page_ending_on_the_last_item_has_no_next_page(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    parent, expected = await filled(conn, case, RANKS[:6])

    first = await read_page(client, case, parent, first=3)
    second = await read_page(client, case, parent, first=3, after=first["pageInfo"]["endCursor"])

    assert ids(first) + ids(second) == expected
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    # and a page after the very last item is empty
    beyond = await read_page(client, case, parent, first=3, after=second["pageInfo"]["endCursor"])
    assert beyond["edges"] == []
    assert beyond["pageInfo"]["hasNextPage"] is False
    assert beyond["totalCount"] == 6


async def test_backward_pages_walk_the_whole_list_in_the_same_order(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    # given
    parent, expected = await filled(conn, case)

    # when: pages of 3 from the end, each before the previous page's start cursor
    pages = [await read_page(client, case, parent, last=3)]
    while pages[-1]["pageInfo"]["hasPreviousPage"]:
        assert len(pages) < 5, "the walk does not end"
        pages.append(
            await read_page(client, case, parent, last=3, before=pages[-1]["pageInfo"]["startCursor"])
        )

    # then: each page in list order, the pages from the end back to the start
    assert [ids(p) for p in pages] == [expected[4:7], expected[1:4], expected[0:1]]
    assert [p["totalCount"] for p in pages] == [7, 7, 7]
    assert [(p["pageInfo"]["hasPreviousPage"], p["pageInfo"]["hasNextPage"]) for p in pages] == [
        (True, False),
        (True, True),
        (False, True),
    ]


async def test_after_and_before_together_give_the_items_between(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    parent, expected = await filled(conn, case)
    everything = await read_page(client, case, parent, first=7)
    cursors = [e["cursor"] for e in everything["edges"]]

    window = await read_page(client, case, parent, first=10, after=cursors[1], before=cursors[5])

    assert ids(window) == expected[2:5]
    assert window["totalCount"] == 7


async def test_cursors_stay_valid_across_inserts(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    # given: a cursor on the third item (rank 30)
    parent, expected = await filled(conn, case)
    first = await read_page(client, case, parent, first=3)
    cursor = first["pageInfo"]["endCursor"]

    # when: items land before the cursor, right after it (between ranks 30 and 40) and at the end
    await case.add_item(conn, parent, 5)
    await case.add_item(conn, parent, 25)
    right_after = await case.add_item(conn, parent, 35)
    at_the_end = await case.add_item(conn, parent, 75)
    following = await read_page(client, case, parent, first=3, after=cursor)
    rest = await read_page(client, case, parent, first=10, after=cursor)

    # then: the next page continues right after the cursor's item
    assert ids(following) == [right_after, expected[3], expected[4]]
    assert ids(rest) == [right_after, *expected[3:], at_the_end]
    assert following["totalCount"] == 11
    assert following["pageInfo"]["hasPreviousPage"] is True


async def test_first_zero_gives_an_empty_page(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    parent, _ = await filled(conn, case)

    page = await read_page(client, case, parent, first=0)

    assert page["edges"] == []
    assert page["nodes"] == []
    assert page["pageInfo"]["startCursor"] is None
    assert page["pageInfo"]["endCursor"] is None
    assert page["totalCount"] == 7


async def test_an_empty_list_gives_no_edges_and_null_cursors(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    parent = await case.make_parent(conn)

    forward = await read_page(client, case, parent, first=5)
    backward = await read_page(client, case, parent, last=5)

    for page in (forward, backward):
        assert page == {
            "totalCount": 0,
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
            "edges": [],
            "nodes": [],
        }


async def test_without_first_or_last_a_page_has_the_default_size(
    make_client: ClientFactory, conn: Connection, case: ListCase
) -> None:
    parent, expected = await filled(conn, case)
    client = await make_client(default_page_size=4)

    page = await read_page(client, case, parent)

    assert ids(page) == expected[:4]
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("argument", ["first", "last"])
async def test_a_page_above_the_cap_is_bad_user_input(
    client: TestClient[Any, Any], conn: Connection, case: ListCase, argument: str
) -> None:
    parent = await case.make_parent(conn)

    error = await read_refusal(client, case, parent, **{argument: 101})

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert "100" in error["message"]
    assert argument in error["message"]


async def test_the_cap_comes_from_the_settings(
    make_client: ClientFactory, conn: Connection, case: ListCase
) -> None:
    parent, expected = await filled(conn, case)
    client = await make_client(max_page_size=5, default_page_size=5)

    error = await read_refusal(client, case, parent, first=6)
    at_the_cap = await read_page(client, case, parent, first=5)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "5" in error["message"]
    assert "6" in error["message"]
    assert ids(at_the_cap) == expected[:5]


@pytest.mark.parametrize("arguments", [{"first": -1}, {"last": -3}], ids=["negative-first", "negative-last"])
async def test_a_negative_page_size_refuses_the_operation(
    client: TestClient[Any, Any], conn: Connection, case: ListCase, arguments: dict[str, Any]
) -> None:
    parent = await case.make_parent(conn)

    error = await read_refusal(client, case, parent, **arguments)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"first": 2, "last": 2}, id="first-and-last"),
        pytest.param({"first": 2, "after": "garbage"}, id="garbage-after"),
        pytest.param({"last": 2, "before": "not a cursor!"}, id="garbage-before"),
        pytest.param({"first": 2, "after": ""}, id="empty-cursor"),
        pytest.param({"first": 2, "after": Cursor("elsewhere", "x", uuid.uuid4()).encode()}, id="other-list"),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(
    client: TestClient[Any, Any], conn: Connection, case: ListCase, arguments: dict[str, Any]
) -> None:
    parent = await case.make_parent(conn)

    error = await read_error(client, case, parent, **arguments)

    assert error["extensions"]["code"] == "BAD_USER_INPUT"


API_KEYS_OF_CARRIER = """
query Keys($id: ID!, $after: String) {
  carrier(id: $id) { code apiKeys(first: 5, after: $after) { edges { cursor } } }
}
"""


async def test_a_cursor_of_another_list_is_bad_user_input(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: a carriers cursor and an apiKeys cursor
    carrier_id = await factories.carrier(conn)
    await insert_key(conn, carrier_id, BASE_TIME)
    headers = bearer(staff_token())
    carriers = await post(client, CARRIER_CODES_PAGE, {"first": 1}, headers)
    carrier_cursor = carriers["data"]["carriers"]["edges"][0]["cursor"]
    variables = {"id": to_global_id("Carrier", carrier_id)}
    keys = await post(client, API_KEYS_OF_CARRIER, variables, headers)
    key_cursor = keys["data"]["carrier"]["apiKeys"]["edges"][0]["cursor"]

    # when: each is passed to the other list
    keys_after_carrier = await post(
        client, API_KEYS_OF_CARRIER, {**variables, "after": carrier_cursor}, headers
    )
    carriers_after_key = await post(client, CARRIER_CODES_PAGE, {"first": 1, "after": key_cursor}, headers)

    # then
    (error,) = keys_after_carrier["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["carrier", "apiKeys"]
    assert "another list" in error["message"]
    (error,) = carriers_after_key["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["carriers"]


TIME_SORTED: dict[Callable[[Connection, Parent, int], Awaitable[str]], str] = {
    add_api_key: "apiKeys",
    add_activity: "activity",
    add_change_request: "changeRequests",
}


@pytest.mark.parametrize("case", [c for c in CASES if c.add_item in TIME_SORTED], ids=str)
async def test_a_cursor_of_the_right_list_with_a_forged_position_is_bad_user_input(
    client: TestClient[Any, Any], conn: Connection, case: ListCase
) -> None:
    # given: a cursor naming the list, whose sort key is not a time (these lists sort by time)
    parent, _ = await filled(conn, case, RANKS[:2])
    list_name = TIME_SORTED[case.add_item]
    forged = Cursor(list_name, "yesterday-ish", uuid.uuid4()).encode()

    # when
    body = await post(
        client, case.document, {**parent.variables, "first": 2, "after": forged}, parent.headers
    )

    # then: an answer about the cursor, not an internal error
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


async def test_edges_and_nodes_agree_on_the_root_carriers(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    org_id = await factories.organization(conn)
    codes = sorted(factories.unique_code("E") for _ in range(4))
    for code in reversed(codes):
        await factories.carrier(conn, code, organization_id=org_id)

    body = await post(client, CARRIER_CODES_PAGE, {"first": 10}, bearer(admin_token(organizations=[org_id])))

    page = body["data"]["carriers"]
    assert [e["node"]["code"] for e in page["edges"]] == [n["code"] for n in page["nodes"]] == codes
    assert len({e["cursor"] for e in page["edges"]}) == 4
