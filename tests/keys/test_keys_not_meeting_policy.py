"""Keys that do not meet the key policy, listed and counted in SQL: by generated policies (the platform's
settings, an organization's level, a carrier's tightening) and keys (scopes, allowlist, expiry, a
rotation's grace period, revoked, expired), `apiKeys(filter: {meetsPolicy: false})` holds exactly the keys
whose `policyGaps` (judged in Python, resolvers/key_policy.gaps) is not empty, `meetsPolicy: true` the
others, and `apiKeyPolicy.keysNotMeetingPolicy` counts them per carrier and per organization; a page of
carriers reads every count in one statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory, GraphQL, StatementLog
from tests.drawn import drawn
from tests.factories import admin_token, bearer, staff_token
from tests.schema.test_graph_statement_counts import fresh_log

SCOPES = ("carrier:read", "enablements:read", "keys:read", "keys:write", "activity:read")

READ = """
query Short($id: ID!) {
  organization(id: $id) {
    apiKeyPolicy { keysNotMeetingPolicy }
    carriers(first: 10) {
      nodes {
        id
        apiKeyPolicy { keysNotMeetingPolicy }
        short: apiKeys(first: 100, filter: {meetsPolicy: false}) { totalCount nodes { id } }
        meeting: apiKeys(first: 100, filter: {meetsPolicy: true}) { nodes { id } }
        all: apiKeys(first: 100) { nodes { id policyGaps { rule } } }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class Level:
    max_lifetime_days: int | None
    allowlist_required: bool | None
    allowed_scopes: tuple[str, ...] | None
    max_grace_period_seconds: int | None
    non_expiring_allowed: bool | None


@dataclass(frozen=True)
class Key:
    scopes: tuple[str, ...]
    allowlist: bool
    expires_in_days: int | None  # None: never expires; negative: expired
    grace_hours: int | None  # in a rotation's grace period for this many hours more; negative: revoked


@dataclass(frozen=True)
class World:
    max_lifetime_days: int
    allow_non_expiring: bool
    organization: Level
    carrier: Level  # the first carrier's own tightening (the second has none)
    keys: tuple[tuple[int, Key], ...]  # (carrier 0 or 1, key)


LEVELS = st.builds(
    Level,
    max_lifetime_days=st.none() | st.sampled_from((7, 30, 60)),
    allowlist_required=st.none() | st.booleans(),
    allowed_scopes=st.none()
    | st.lists(st.sampled_from(SCOPES), min_size=1, max_size=3, unique=True).map(tuple),
    max_grace_period_seconds=st.none() | st.sampled_from((0, 3600, 86400)),
    non_expiring_allowed=st.none() | st.booleans(),
)
KEYS = st.builds(
    Key,
    scopes=st.lists(st.sampled_from(SCOPES), min_size=1, max_size=3, unique=True).map(tuple),
    allowlist=st.booleans(),
    expires_in_days=st.none() | st.sampled_from((-1, 5, 20, 45, 80)),
    grace_hours=st.none() | st.sampled_from((-1, 2, 30)),
)
WORLDS = st.builds(
    World,
    max_lifetime_days=st.sampled_from((40, 90)),
    allow_non_expiring=st.booleans(),
    organization=LEVELS,
    carrier=LEVELS,
    keys=st.lists(st.tuples(st.integers(0, 1), KEYS), min_size=1, max_size=8).map(tuple),
)


async def set_level(conn: Connection, table: str, owner: str, owner_id: uuid.UUID, level: Level) -> None:
    await conn.execute(
        f"insert into {table} ({owner}, max_lifetime_days, allowlist_required, allowed_scopes, "  # noqa: S608 - the test's own names
        "max_grace_period_seconds, non_expiring_allowed, updated_by_kind) "
        "values ($1, $2, $3, $4, $5, $6, 'system')",
        owner_id,
        level.max_lifetime_days,
        level.allowlist_required,
        list(level.allowed_scopes) if level.allowed_scopes is not None else None,
        level.max_grace_period_seconds,
        level.non_expiring_allowed,
    )


async def build(conn: Connection, world: World) -> tuple[uuid.UUID, list[uuid.UUID]]:
    organization = await factories.organization(conn)
    carriers = [await factories.carrier(conn, organization_id=organization) for _ in range(2)]
    await set_level(conn, "organization_key_policies", "organization_id", organization, world.organization)
    await set_level(conn, "carrier_key_policies", "carrier_id", carriers[0], world.carrier)
    now = datetime.now(UTC)
    for carrier, key in world.keys:
        days = key.expires_in_days
        key_id, _ = await factories.api_key(
            conn,
            carriers[carrier],
            scopes=key.scopes,
            allowlist=["10.0.0.0/8"] if key.allowlist else [],
            expires_at=now + timedelta(days=days, hours=1) if days is not None else None,
            created_at=now - timedelta(days=10),
        )
        await conn.execute(
            "update api_keys set expires_at = case when $2 then null else expires_at end, "
            "revoked_at = $3::timestamptz, "
            "revoked_by_kind = case when $3::timestamptz is not null then 'system' end, "
            "revoked_reason = case when $3::timestamptz is not null then 'rotated' end where id = $1",
            key_id,
            days is None,
            now + timedelta(hours=key.grace_hours, minutes=30) if key.grace_hours is not None else None,
        )
    return organization, carriers


async def test_the_keys_listed_and_counted_as_short_are_those_with_policy_gaps(
    make_client: ClientFactory, conn: Connection
) -> None:
    seen_short = 0
    for world in drawn(WORLDS, 20):
        client = await make_client(
            key_max_lifetime_days=world.max_lifetime_days,
            key_default_lifetime_days=30,
            allow_non_expiring_keys=world.allow_non_expiring,
        )
        organization, _ = await build(conn, world)
        response = await client.post(
            "/graphql",
            json={"query": READ, "variables": {"id": to_global_id("Organization", organization)}},
            headers=bearer(staff_token()),
        )
        body = await response.json()
        assert "errors" not in body, body
        total = 0
        for carrier in body["data"]["organization"]["carriers"]["nodes"]:
            everything = carrier["all"]["nodes"]
            short = {k["id"] for k in everything if k["policyGaps"]}
            assert {k["id"] for k in carrier["short"]["nodes"]} == short, world
            assert carrier["short"]["totalCount"] == len(short), world
            assert {k["id"] for k in carrier["meeting"]["nodes"]} == {k["id"] for k in everything} - short, (
                world
            )
            assert carrier["apiKeyPolicy"]["keysNotMeetingPolicy"] == len(short), world
            total += len(short)
        assert body["data"]["organization"]["apiKeyPolicy"]["keysNotMeetingPolicy"] == total, world
        seen_short += total
    assert seen_short > 0  # the worlds drawn had keys short of their policy


async def test_an_organizations_count_is_of_its_carriers_in_reach(graphql: GraphQL, conn: Connection) -> None:
    # given: two carriers of an organization, each with one key the organization's policy refuses
    world = World(
        90,
        False,
        Level(None, True, None, None, None),
        Level(None, None, None, None, None),
        ((0, Key(("carrier:read",), False, 20, None)), (1, Key(("carrier:read",), False, 20, None))),
    )
    organization, carriers = await build(conn, world)
    code = await conn.fetchval("select code from carriers where id = $1", carriers[0])
    query = "query($id: ID!) { organization(id: $id) { apiKeyPolicy { keysNotMeetingPolicy } } }"
    variables = {"id": to_global_id("Organization", organization)}
    # an administrator of one carrier counts that carrier's; the organization's administrator both
    one = await graphql(query, variables, headers=bearer(admin_token(carriers=[code])))
    both = await graphql(query, variables, headers=bearer(admin_token(organizations=[organization])))
    platform = await graphql("{ apiKeyPolicy { keysNotMeetingPolicy } }", headers=bearer(staff_token()))
    assert one["data"]["organization"]["apiKeyPolicy"]["keysNotMeetingPolicy"] == 1, one
    assert both["data"]["organization"]["apiKeyPolicy"]["keysNotMeetingPolicy"] == 2, both
    assert platform["data"]["apiKeyPolicy"]["keysNotMeetingPolicy"] is None


COUNTS = """
query Counts($id: ID!) {
  organization(id: $id) {
    apiKeyPolicy { keysNotMeetingPolicy }
    carriers(first: 100) { nodes { apiKeyPolicy { keysNotMeetingPolicy } } }
  }
}
"""


async def test_counts_cost_the_same_statements_for_any_number_of_carriers(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    async def read(carriers: int) -> tuple[int, Any]:
        organization = await factories.organization(conn)
        for _ in range(carriers):
            carrier = await factories.carrier(conn, organization_id=organization)
            await factories.api_key(conn, carrier, expires_at=datetime.now(UTC) + timedelta(days=80))
        await set_level(
            conn,
            "organization_key_policies",
            "organization_id",
            organization,
            Level(30, None, None, None, None),
        )
        await fresh_log(sql_log)
        body = await graphql(
            COUNTS, {"id": to_global_id("Organization", organization)}, headers=bearer(staff_token())
        )
        assert "errors" not in body, body
        return await sql_log.count(), body["data"]["organization"]

    await read(1)  # asyncpg's own type introspection, once per connection
    (small, small_data), (large, large_data) = await read(2), await read(30)
    assert small == large
    assert large_data["apiKeyPolicy"]["keysNotMeetingPolicy"] == 30
    assert {c["apiKeyPolicy"]["keysNotMeetingPolicy"] for c in large_data["carriers"]["nodes"]} == {1}
    assert small_data["apiKeyPolicy"]["keysNotMeetingPolicy"] == 2
