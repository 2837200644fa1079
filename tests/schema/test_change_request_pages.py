"""`changeRequests` as a connection, by generated inputs: for any set of requests, filter, caller and
sequence of page sizes, walking the pages forward (first/after) or backward (last/before) lists exactly
the requests the filter selects in the caller's reach, each once, newest first (ties by id), with the
filtered list's size as totalCount on every page; and a page costs the same statements at any size.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests.conftest import ClientFactory, GraphQL, StatementLog
from tests.drawn import drawn
from tests.factories import admin_token, bearer, staff_token
from tests.schema.test_graph_statement_counts import fresh_log
from tests.schema.test_pagination import insert_change_request

# The app's clock, fixed (the tokens below are valid by it: minted at the same moment).
NOW = datetime.now(UTC).replace(microsecond=0)
KINDS = ("attach_carrier", "detach_carrier", "never_expiring_key")
STATES = ("open", "approved", "declined", "expired", "withdrawn")
CARRIERS = tuple(uuid.UUID(int=n) for n in (1, 2, 3))
ORGANIZATIONS = tuple(uuid.UUID(int=n) for n in (11, 12))
# Who asks: staff (staff-1, as staff_token names them) and two administrators.
REQUESTERS = (("staff", "staff-1"), ("admin", "admin-a"), ("admin", "admin-b"))
CALLERS = {"staff": bearer(staff_token()), "admin-a": bearer(admin_token(subject="admin-a"))}

PAGE = """
query Page($filter: ChangeRequestFilter, $first: Int, $after: String, $last: Int, $before: String) {
  changeRequests(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id state }
  }
}
"""


@dataclass(frozen=True)
class Request:
    hours_ago: int  # few values: requests at the same moment are ordered by id
    kind: str
    state: str
    expires_in_hours: int  # negative: past its expiry (an open one reads as EXPIRED)
    carriers: tuple[uuid.UUID, ...]
    organization: uuid.UUID | None
    requester: tuple[str, str]


@dataclass
class Stored:
    id: uuid.UUID
    request: Request

    @property
    def requested_at(self) -> datetime:
        return NOW - timedelta(hours=self.request.hours_ago)

    @property
    def state(self) -> str:
        expired = self.request.state == "open" and self.request.expires_in_hours <= 0
        return "expired" if expired else self.request.state


REQUESTS = st.builds(
    Request,
    hours_ago=st.integers(0, 6),
    kind=st.sampled_from(KINDS),
    state=st.sampled_from(STATES),
    expires_in_hours=st.sampled_from((-1, 0, 5)),
    carriers=st.lists(st.sampled_from(CARRIERS), max_size=2, unique=True).map(tuple),
    organization=st.none() | st.sampled_from(ORGANIZATIONS),
    requester=st.sampled_from(REQUESTERS),
)

CONDITIONS: dict[str, st.SearchStrategy[Any]] = {
    "state": st.sampled_from(STATES).map(str.upper),
    "kind": st.sampled_from(KINDS).map(str.upper),
    "carrierId": st.sampled_from(CARRIERS).map(lambda c: to_global_id("Carrier", c)),
    "organizationId": st.sampled_from(ORGANIZATIONS).map(lambda o: to_global_id("Organization", o)),
    "olderThanHours": st.sampled_from((0.5, 2, 4.5)),
    "requestedSince": st.integers(0, 7).map(lambda h: (NOW - timedelta(hours=h)).isoformat()),
    "requestedUntil": st.integers(0, 7).map(lambda h: (NOW - timedelta(hours=h)).isoformat()),
    "mine": st.booleans(),
}
# Up to three conditions at once (more select nothing, mostly).
FILTERS = st.lists(st.sampled_from(sorted(CONDITIONS)), max_size=3, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: CONDITIONS[name] for name in names})
)


@dataclass(frozen=True)
class Walk:
    caller: str
    filter: dict[str, Any]
    sizes: tuple[int, ...]  # page sizes, used in turn (the last repeats)
    backward: bool


WALKS = st.builds(
    Walk,
    caller=st.sampled_from(sorted(CALLERS)),
    filter=FILTERS,
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=4).map(tuple),
    backward=st.booleans(),
)

DATA_SETS = drawn(st.lists(REQUESTS, min_size=12, max_size=30), 4)
WALKS_PER_SET = 15


def expected(stored: list[Stored], walk: Walk) -> list[uuid.UUID]:
    """The brute-force answer: the requests the caller sees that the filter selects, newest first."""
    given = walk.filter
    caller = ("staff", "staff-1") if walk.caller == "staff" else ("admin", walk.caller)

    def selected(s: Stored) -> bool:
        r = s.request
        older_than = given.get("olderThanHours")
        since, until = given.get("requestedSince"), given.get("requestedUntil")
        return (
            (walk.caller == "staff" or r.requester == caller)
            and ("state" not in given or s.state == given["state"].lower())
            and ("kind" not in given or r.kind == given["kind"].lower())
            and (
                "carrierId" not in given
                or given["carrierId"] in {to_global_id("Carrier", c) for c in r.carriers}
            )
            and (
                "organizationId" not in given
                or (
                    r.organization is not None
                    and to_global_id("Organization", r.organization) == given["organizationId"]
                )
            )
            and (older_than is None or s.requested_at <= NOW - timedelta(hours=older_than))
            and (since is None or s.requested_at >= datetime.fromisoformat(since))
            and (until is None or s.requested_at < datetime.fromisoformat(until))
            and (not given.get("mine") or r.requester == caller)
        )

    chosen = sorted((s for s in stored if selected(s)), key=lambda s: (s.requested_at, s.id), reverse=True)
    return [s.id for s in chosen]


async def store(conn: Connection, requests: list[Request]) -> list[Stored]:
    await conn.execute("delete from change_requests")
    stored = []
    for request in requests:
        requested_at = NOW - timedelta(hours=request.hours_ago)
        request_id = await insert_change_request(
            conn,
            request.requester[1],
            requested_at,
            kind=request.kind,
            state=request.state,
            expires_at=NOW + timedelta(hours=request.expires_in_hours),
            carrier_ids=list(request.carriers),
            organization_id=request.organization,
        )
        await conn.execute(
            "update change_requests set requested_by_kind = $2 where id = $1",
            request_id,
            request.requester[0],
        )
        stored.append(Stored(request_id, request))
    return stored


async def walk_pages(client: Any, walk: Walk) -> tuple[list[str], set[int]]:
    """Every page of the walk: the ids in list order, and the totalCounts the pages gave."""
    seen: list[list[str]] = []
    totals: set[int] = set()
    cursor: str | None = None
    for turn in range(100):
        size = walk.sizes[min(turn, len(walk.sizes) - 1)]
        arguments = {"last": size, "before": cursor} if walk.backward else {"first": size, "after": cursor}
        response = await client.post(
            "/graphql",
            json={"query": PAGE, "variables": {"filter": walk.filter, **arguments}},
            headers=CALLERS[walk.caller],
        )
        body = await response.json()
        assert "errors" not in body, (walk, body)
        page = body["data"]["changeRequests"]
        totals.add(page["totalCount"])
        seen.append([n["id"] for n in page["nodes"]])
        info = page["pageInfo"]
        more = info["hasPreviousPage"] if walk.backward else info["hasNextPage"]
        if not more:
            break
        cursor = info["startCursor"] if walk.backward else info["endCursor"]
        assert len(page["nodes"]) == size, (walk, page)  # a page short of its size is the last
    if walk.backward:
        seen.reverse()
    return [request_id for page in seen for request_id in page], totals


async def test_any_walk_lists_each_request_the_filter_selects_in_reach_once_in_order(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(now=lambda: NOW)
    sizes = []
    for number, requests in enumerate(DATA_SETS):
        stored = await store(conn, requests)
        for walk in drawn(WALKS, WALKS_PER_SET + number):
            wanted = [to_global_id("ChangeRequest", i) for i in expected(stored, walk)]

            listed, totals = await walk_pages(client, walk)

            assert listed == wanted, walk
            assert totals == {len(wanted)}, walk
            sizes.append(len(wanted))
    # the walks were not of empty lists alone: many had several pages
    assert sum(size > 3 for size in sizes) > len(sizes) // 3, sizes


async def test_a_key_sees_no_requests_and_its_page_arguments_are_still_checked(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(now=lambda: NOW)
    await store(conn, drawn(st.lists(REQUESTS, min_size=3, max_size=3), 1)[0])
    # staff see them; a refused page size is refused whoever asks
    body = await (
        await client.post(
            "/graphql", json={"query": PAGE, "variables": {"first": 2}}, headers=CALLERS["staff"]
        )
    ).json()
    assert body["data"]["changeRequests"]["totalCount"] == 3
    body = await (
        await client.post(
            "/graphql",
            json={"query": PAGE, "variables": {"first": 2, "after": "nonsense"}},
            headers=CALLERS["staff"],
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


NESTED = """
query Queue($first: Int) {
  changeRequests(first: $first, filter: {state: OPEN}) {
    totalCount
    edges {
      cursor
      node { id kind state summary requestedBy { id name } carriers { code } organization { name } }
    }
  }
}
"""
# The page (one statement), the carriers it names (one, through the carrier loader), their organizations
# (one, through the organization loader).
NESTED_STATEMENTS = 3


async def test_a_page_costs_the_same_statements_at_any_size(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    from tests import factories

    async def queue(rows: int) -> int:
        await conn.execute("delete from change_requests")
        organization = await factories.organization(conn)
        for n in range(rows):
            carrier = await factories.carrier(conn, organization_id=organization)
            await insert_change_request(
                conn,
                "admin-a",
                NOW - timedelta(minutes=n),
                carrier_ids=[carrier],
                organization_id=organization,
            )
        await fresh_log(sql_log)
        body = await graphql(NESTED, {"first": 50}, headers=CALLERS["staff"])
        statements = await sql_log.count()
        assert "errors" not in body, body
        assert body["data"]["changeRequests"]["totalCount"] == rows
        assert all(
            e["node"]["carriers"] and e["node"]["organization"]
            for e in body["data"]["changeRequests"]["edges"]
        )
        return statements

    await queue(1)  # asyncpg's own type introspection, once per connection
    assert await queue(2) == await queue(40) == NESTED_STATEMENTS
