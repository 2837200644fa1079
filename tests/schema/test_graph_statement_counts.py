"""The organization → carrier → enablements/keys graph is read in a fixed number of SQL statements.

Per-request dataloaders batch every level: however many organizations, carriers, features and keys a
response holds, each level costs one statement. These tests read the same nested query over a small
and a large data set and pin the statement count, which must be equal at both sizes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from access import keyformat
from db.pool import Connection
from resolvers.global_ids import to_global_id
from settings import Settings
from tests import factories
from tests.conftest import GraphQL, StatementLog, make_settings
from tests.factories import bearer, staff_token

ORGANIZATIONS_GRAPH = """
query Graph($search: String) {
  organizations(search: $search) {
    nodes {
      name
      carriers(first: 100) {
        totalCount
        nodes {
          code
          organization { name }
          enablements { feature { key } state effective source }
          apiKeys(first: 50) { totalCount nodes { hint status rotatedFrom { hint } } }
        }
      }
    }
  }
}
"""

ORGANIZATION_GRAPH = """
query Graph($id: ID!) {
  organization(id: $id) {
    name
    carriers(first: 100) {
      totalCount
      nodes {
        code
        organization { name }
        enablements { feature { key } state effective source }
        apiKeys(first: 50) { totalCount nodes { hint status rotatedFrom { hint } } }
      }
    }
  }
}
"""

FEATURES = "query { features { key } }"

# organizations page, Organization.carriers (one LATERAL statement for every organization),
# Carrier.organization, Carrier.enablements (one for every carrier's settings, one for the features
# they name), Carrier.apiKeys (one LATERAL statement for every carrier), ApiKey.rotatedFrom.
STATEMENTS_FROM_ORGANIZATIONS = 7
# The same without the organizations page: `organization(id:)` reads through the organization loader,
# whose cache then answers every Carrier.organization of the response.
STATEMENTS_FROM_ONE_ORGANIZATION = 6


@dataclass
class Graph:
    """What was inserted: organization name → carrier code → key hints (oldest first)."""

    tag: str
    feature_keys: list[str] = field(default_factory=list)
    organizations: dict[str, uuid.UUID] = field(default_factory=dict)
    carriers: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # (carrier code, hint of a rotated key) → hint of the key it replaced. A hint is four characters of
    # the secret: among a large graph's 1,200 keys two share one about once in a hundred runs, so a hint
    # names a key only within its carrier.
    rotated_from: dict[tuple[str, str], str] = field(default_factory=dict)


@pytest.fixture
def settings() -> Settings:
    # These tests are about statements per request: the whole tree in one request, past the cost limit
    # a public caller would get (tests/web/test_query_limits.py covers that limit).
    return make_settings(max_query_cost=10_000_000)


async def insert_keys(conn: Connection, carrier_id: uuid.UUID, start: datetime, count: int) -> list[str]:
    """`count` keys, one second apart, in one statement; their hints, oldest first; the second key
    a rotation of the first. (Written here, as factories.api_key fails to prepare: its $7 is both a
    timestamptz and, inside its CASE expressions, text.)"""
    issued = [keyformat.generate("test") for _ in range(count)]
    await conn.execute(
        """insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                                 created_at, expires_at, created_by_kind, created_by_id)
           select $1, 'Graph test key', k.secret_hash, k.hint, 'test', '{keys:read}',
                  $4::timestamptz + (k.n - 1) * interval '1 second',
                  $4::timestamptz + interval '90 days', 'system', 'test'
           from unnest($2::bytea[], $3::text[]) with ordinality as k(secret_hash, hint, n)""",
        carrier_id,
        [i.secret_hash for i in issued],
        [i.hint for i in issued],
        start,
    )
    if count >= 2:
        await conn.execute(
            """update api_keys set rotated_from_id = (select id from api_keys where secret_hash = $1)
               where secret_hash = $2""",
            issued[0].secret_hash,
            issued[1].secret_hash,
        )
    return [i.hint for i in issued]


async def build_graph(
    conn: Connection, *, organizations: int, carriers: int, keys: int, features: int
) -> Graph:
    """`organizations` by `carriers` by `keys`, every carrier's second key a rotation of its first."""
    graph = Graph(tag=factories.unique_code("G"))
    feature_ids = [await factories.feature(conn) for _ in range(features)]
    for feature_id in feature_ids:
        graph.feature_keys.append(await conn.fetchval("select key from features where id = $1", feature_id))
    start: datetime = await conn.fetchval("select now() - interval '1 hour'")
    for o in range(organizations):
        name = f"Graph {graph.tag} org {o}"
        org_id = await factories.organization(conn, name)
        graph.organizations[name] = org_id
        graph.carriers[name] = {}
        await factories.set_organization_enablement(conn, org_id, feature_ids[0], True)
        for c in range(carriers):
            code = factories.unique_code("C")
            carrier_id = await factories.carrier(conn, code, organization_id=org_id)
            if c % 2:
                await factories.set_carrier_enablement(conn, carrier_id, feature_ids[-1], c % 4 == 1)
            hints = await insert_keys(conn, carrier_id, start, keys)
            if keys >= 2:
                graph.rotated_from[(code, hints[1])] = hints[0]
            graph.carriers[name][code] = hints
    return graph


def check_organization(graph: Graph, organization: dict[str, Any]) -> None:
    """One organization of the response against what was inserted."""
    name = organization["name"]
    expected = graph.carriers[name]
    page = organization["carriers"]
    assert page["totalCount"] == len(expected)
    assert [c["code"] for c in page["nodes"]] == sorted(expected)
    for carrier in page["nodes"]:
        assert carrier["organization"] == {"name": name}
        keys = carrier["apiKeys"]
        hints = expected[carrier["code"]]
        assert keys["totalCount"] == len(hints)
        assert [k["hint"] for k in keys["nodes"]] == hints
        for key in keys["nodes"]:
            assert key["status"] == "ACTIVE"
            rotated = graph.rotated_from.get((carrier["code"], key["hint"]))
            assert key["rotatedFrom"] == ({"hint": rotated} if rotated else None)


async def fresh_log(sql_log: StatementLog) -> None:
    """Empty the log, after letting through the setup statements asyncpg has yet to report."""
    await sql_log.count()
    sql_log.clear()


async def read_organizations(graphql: GraphQL, sql_log: StatementLog, graph: Graph) -> tuple[int, Any]:
    await fresh_log(sql_log)
    body = await graphql(ORGANIZATIONS_GRAPH, {"search": graph.tag}, headers=bearer(staff_token()))
    statements = await sql_log.count()
    assert "errors" not in body, body["errors"]
    return statements, body["data"]["organizations"]["nodes"]


async def read_organization(
    graphql: GraphQL, sql_log: StatementLog, graph: Graph, name: str
) -> tuple[int, Any]:
    org_id = to_global_id("Organization", graph.organizations[name])
    await fresh_log(sql_log)
    body = await graphql(ORGANIZATION_GRAPH, {"id": org_id}, headers=bearer(staff_token()))
    statements = await sql_log.count()
    assert "errors" not in body, body["errors"]
    return statements, body["data"]["organization"]


async def test_organizations_graph_costs_the_same_statements_at_any_size(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    # given: a small graph and a large one, with several features
    small = await build_graph(conn, organizations=1, carriers=2, keys=2, features=3)
    large = await build_graph(conn, organizations=3, carriers=40, keys=10, features=5)

    # asyncpg introspects a type the first time its connection meets it (3 statements of its own,
    # once per connection): a first request gets that out of the way
    await read_organizations(graphql, sql_log, small)

    # when
    small_statements, small_orgs = await read_organizations(graphql, sql_log, small)
    large_statements, large_orgs = await read_organizations(graphql, sql_log, large)

    # then: the statement count does not grow with the number of rows
    assert small_statements == large_statements == STATEMENTS_FROM_ORGANIZATIONS, sql_log.queries
    assert [o["name"] for o in small_orgs] == sorted(small.carriers)
    assert [o["name"] for o in large_orgs] == sorted(large.carriers)
    for organization in small_orgs:
        check_organization(small, organization)
    for organization in large_orgs:
        check_organization(large, organization)
    assert sum(len(o["carriers"]["nodes"]) for o in large_orgs) == 120
    assert sum(len(c["apiKeys"]["nodes"]) for o in large_orgs for c in o["carriers"]["nodes"]) == 1200


async def test_one_organization_graph_costs_the_same_statements_at_any_size(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    # given
    small = await build_graph(conn, organizations=1, carriers=2, keys=2, features=2)
    large = await build_graph(conn, organizations=1, carriers=60, keys=12, features=6)
    (small_name,) = small.carriers
    (large_name,) = large.carriers

    await read_organization(graphql, sql_log, small, small_name)  # asyncpg's type introspection

    # when
    small_statements, small_org = await read_organization(graphql, sql_log, small, small_name)
    large_statements, large_org = await read_organization(graphql, sql_log, large, large_name)

    # then
    assert small_statements == large_statements == STATEMENTS_FROM_ONE_ORGANIZATION, sql_log.queries
    check_organization(small, small_org)
    check_organization(large, large_org)
    assert large_org["carriers"]["totalCount"] == 60


async def test_graph_enablements_cover_the_catalogue_with_inherited_and_overridden_values(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    # given: the first feature on for every organization; every other carrier overrides the last one
    graph = await build_graph(conn, organizations=2, carriers=4, keys=2, features=3)
    catalogue = await graphql(FEATURES, headers=bearer(staff_token()))
    keys = [f["key"] for f in catalogue["data"]["features"]]
    on_for_organization, default_off, overridden = graph.feature_keys

    # when
    _, organizations = await read_organizations(graphql, sql_log, graph)

    # then: one enablement per catalogue feature, by key, on every carrier
    assert len(organizations) == 2
    for organization in organizations:
        carriers = organization["carriers"]["nodes"]
        assert len(carriers) == 4
        # the carriers were inserted in code order: the index is the insertion position
        for index, carrier in enumerate(carriers):
            enablements = carrier["enablements"]
            assert [e["feature"]["key"] for e in enablements] == keys
            by_key = {e["feature"]["key"]: e for e in enablements}
            assert by_key[on_for_organization] == {
                "feature": {"key": on_for_organization},
                "state": "INHERIT",
                "effective": True,
                "source": "ORGANIZATION",
            }
            assert by_key[default_off] == {
                "feature": {"key": default_off},
                "state": "INHERIT",
                "effective": False,
                "source": "DEFAULT",
            }
            if index % 2:
                on = index % 4 == 1
                assert by_key[overridden] == {
                    "feature": {"key": overridden},
                    "state": "ENABLED" if on else "DISABLED",
                    "effective": on,
                    "source": "CARRIER",
                }
            else:
                assert by_key[overridden]["state"] == "INHERIT"
                assert by_key[overridden]["source"] == "DEFAULT"


async def test_keys_ordered_by_use_cost_the_same_statements(
    graphql: GraphQL, conn: Connection, sql_log: StatementLog
) -> None:
    # given: graphs whose keys have served requests in the last 30 days (and some before)
    small = await build_graph(conn, organizations=1, carriers=2, keys=2, features=3)
    large = await build_graph(conn, organizations=3, carriers=40, keys=10, features=5)
    await conn.execute(
        """insert into api_key_usage (key_id, hour, outcome, uses)
           select k.id, date_trunc('hour', now()) - (n * interval '1 day'), 'SERVED',
                  1 + abs(hashtext(k.hint)) % 50
           from api_keys k, generate_series(0, 40, 7) n"""
    )
    by_use = ORGANIZATIONS_GRAPH.replace(
        "apiKeys(first: 50)", "apiKeys(first: 50, orderBy: {field: USES_LAST_30_DAYS, direction: DESC})"
    )

    async def read(graph: Graph) -> tuple[int, Any]:
        await fresh_log(sql_log)
        body = await graphql(by_use, {"search": graph.tag}, headers=bearer(staff_token()))
        statements = await sql_log.count()
        assert "errors" not in body, body["errors"]
        return statements, body["data"]["organizations"]["nodes"]

    await read(small)

    # when
    small_statements, _ = await read(small)
    large_statements, large_orgs = await read(large)

    # then: ordering by use reads the counts inside the page's own statement
    assert small_statements == large_statements == STATEMENTS_FROM_ORGANIZATIONS, sql_log.queries
    assert sum(len(c["apiKeys"]["nodes"]) for o in large_orgs for c in o["carriers"]["nodes"]) == 1200
