"""Finding keys: search, filters and order, against a reference written here, over generated populations
of keys and generated questions; paged in both directions, the pages join up to the whole answer. The
same through a carrier's `apiKeys` and the root `apiKeys` (staff: every carrier's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.build import schema
from tests.conftest import staff_context
from tests.drawn import drawn
from tests.keys import days, insert_key, new_carrier

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DESCRIPTIONS = ["ERP sync", "Warehouse feed", "erp backup", "Yard 100% test", "Billing_export"]
SCOPES = ["carrier:read", "keys:read", "activity:read"]


@dataclass(frozen=True)
class Key:
    description: str
    scopes: tuple[str, ...]
    created: int  # days before NOW
    expires: int | None  # days after NOW (negative: expired)
    revoked: bool
    used: int | None  # days before NOW


KEYS = st.builds(
    Key,
    description=st.sampled_from(DESCRIPTIONS),
    scopes=st.lists(st.sampled_from(SCOPES), min_size=1, max_size=3, unique=True).map(tuple),
    created=st.integers(min_value=1, max_value=60),
    expires=st.one_of(st.none(), st.integers(min_value=-20, max_value=60)).filter(lambda e: e != 0),
    revoked=st.booleans(),
    used=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
)
QUESTIONS = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["ACTIVE", "EXPIRED", "REVOKED"]),
        "search": st.sampled_from(["erp", "ERP", "100%", "_export", "feed", "nothing"]),
        "expiringWithinDays": st.integers(min_value=0, max_value=40),
        "scope": st.sampled_from(["CARRIER_READ", "KEYS_READ", "ACTIVITY_READ", "KEYS_WRITE"]),
        "unusedSince": st.integers(min_value=0, max_value=20).map(lambda d: (NOW - days(d)).isoformat()),
    },
)
ORDERS = st.tuples(
    st.sampled_from(["CREATED_AT", "EXPIRES_AT", "LAST_USED_AT"]), st.sampled_from(["ASC", "DESC"])
)
CASES = st.tuples(
    st.lists(KEYS, min_size=0, max_size=12), QUESTIONS, ORDERS, st.integers(min_value=1, max_value=5)
)

PAGE = """
query ($id: ID!, $filter: ApiKeyFilter, $order: ApiKeyOrder, $first: Int, $after: String, $last: Int,
       $before: String) {
  node(id: $id) { ... on Carrier {
    apiKeys(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { description }
    }
  } }
}
"""


def expected(
    keys: list[tuple[Key, uuid.UUID]], question: dict[str, Any], order: tuple[str, str]
) -> list[uuid.UUID]:
    """The reference: which keys, in which order (ties broken by id, as the API does)."""

    def status(key: Key) -> str:
        if key.revoked:
            return "REVOKED"
        return "EXPIRED" if key.expires is not None and key.expires <= 0 else "ACTIVE"

    def keep(key: Key) -> bool:
        if "status" in question and status(key) != question["status"]:
            return False
        if "search" in question and question["search"].lower() not in key.description.lower():
            return False
        if "expiringWithinDays" in question and not (
            status(key) == "ACTIVE"
            and key.expires is not None
            and key.expires <= question["expiringWithinDays"]
        ):
            return False
        scope = {"CARRIER_READ": "carrier:read", "KEYS_READ": "keys:read", "ACTIVITY_READ": "activity:read",
                 "KEYS_WRITE": "keys:write"}.get(question.get("scope", ""))  # fmt: skip
        if scope and scope not in key.scopes:
            return False
        if "unusedSince" in question:
            since = datetime.fromisoformat(question["unusedSince"])
            if key.used is not None and NOW - days(key.used) >= since:
                return False
        return True

    def sort_key(item: tuple[Key, uuid.UUID]) -> tuple[float, str]:
        key, key_id = item
        field = order[0]
        if field == "CREATED_AT":
            value = -float(key.created)
        elif field == "EXPIRES_AT":
            value = float("inf") if key.expires is None else float(key.expires)
        else:
            value = float("-inf") if key.used is None else -float(key.used)
        return value, str(key_id)

    found = sorted((item for item in keys if keep(item[0])), key=sort_key, reverse=order[1] == "DESC")
    return [key_id for _, key_id in found]


async def walk(
    conn: Connection, carrier_id: uuid.UUID, variables: dict[str, Any], size: int, backward: bool
) -> Any:
    """Every page, forward with `first` or backward with `last`; the descriptions' ids in list order."""
    seen: list[str] = []
    cursor = None
    totals = set()
    for _ in range(20):
        window = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        result = await schema.execute(
            PAGE,
            variable_values={"id": to_global_id("Carrier", carrier_id), **variables, **window},
            context_value=staff_context(conn, NOW),
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        page = result.data["node"]["apiKeys"]
        totals.add(page["totalCount"])
        names = [node["description"] for node in page["nodes"]]
        seen = names + seen if backward else seen + names
        more = page["pageInfo"]["hasPreviousPage"] if backward else page["pageInfo"]["hasNextPage"]
        if not more:
            return seen, totals
        cursor = page["pageInfo"]["startCursor"] if backward else page["pageInfo"]["endCursor"]
    raise AssertionError("the walk does not end")


async def test_search_filters_and_order_agree_with_the_reference(conn: Connection) -> None:
    failures = []
    for population, question, order, size in drawn(CASES, 40):
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            carrier = await new_carrier(conn)
            keys = []
            for key in population:
                key_id, _ = await insert_key(
                    conn,
                    carrier.id,
                    scopes=key.scopes,
                    created_at=NOW - days(key.created),
                    expires_at=NOW + days(key.expires) if key.expires is not None else None,
                    revoked_at=NOW - days(0.5) if key.revoked else None,
                    description=key.description,
                )
                if key.used is not None:
                    await conn.execute(
                        "update api_keys set last_used_at = $2 where id = $1", key_id, NOW - days(key.used)
                    )
                keys.append((key, key_id))
            want = expected(keys, question, order)
            names = {key_id: key.description for key, key_id in keys}
            variables = {"filter": question, "order": {"field": order[0], "direction": order[1]}}
            forward, totals = await walk(conn, carrier.id, variables, size, backward=False)
            backward, _ = await walk(conn, carrier.id, variables, size, backward=True)
            if forward != [names[i] for i in want] or backward != forward or totals != {len(want)}:
                failures.append((question, order, size, [names[i] for i in want], forward, backward, totals))
        finally:
            await savepoint.rollback()
    assert not failures, failures[:2]


async def test_staff_list_every_carriers_keys_and_a_cursor_of_another_order_is_refused(
    conn: Connection,
) -> None:
    first, second = await new_carrier(conn), await new_carrier(conn)
    for carrier in (first, second):
        await insert_key(
            conn,
            carrier.id,
            created_at=NOW - days(2),
            expires_at=NOW + days(5),
            description=f"K {carrier.code}",
        )
    everything = """query ($search: String!, $after: String, $order: ApiKeyOrder) {
      apiKeys(filter: {search: $search}, orderBy: $order, first: 1, after: $after) {
        totalCount nodes { description carrier { code } } pageInfo { endCursor } } }"""
    context = staff_context(conn, NOW)
    result = await schema.execute(everything, variable_values={"search": "K K"}, context_value=context)
    assert result.data is not None
    assert result.data["apiKeys"]["totalCount"] == 2
    cursor = result.data["apiKeys"]["pageInfo"]["endCursor"]
    other_order = {"field": "EXPIRES_AT", "direction": "ASC"}
    refused = await schema.execute(
        everything,
        variable_values={"search": "K K", "after": cursor, "order": other_order},
        context_value=staff_context(conn, NOW),
    )
    assert refused.errors is not None
    assert refused.errors[0].extensions == {"code": "BAD_USER_INPUT", "argument": "after"}
