"""Races between mutations, on a database of the test's own with real commits and a real pool.

Where two requests must be in flight at the same time, a third connection holds the row they both need
until PostgreSQL shows both waiting for it; then it lets go and the two race for real.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer

from db.kept_pool import KeptPool
from db.pool import PoolDatabase, create_pool, init_connection
from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.factories import bearer, staff_token

ATTACH = """
mutation Attach($input: AttachCarrierInput!) {
  attachCarrierToOrganization(input: $input) {
    __typename
    ... on CarrierMembershipPayload { carrier { code version } organization { id name } }
    ... on UserError { message code field }
    ... on AlreadyInOrganizationError { currentOrganization { id name } }
  }
}
"""

RENAME_ORGANIZATION = """
mutation Rename($input: RenameOrganizationInput!) {
  renameOrganization(input: $input) {
    __typename
    ... on OrganizationPayload { organization { id name version } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""

DELETE_ORGANIZATION = """
mutation Delete($input: DeleteOrganizationInput!) {
  deleteOrganization(input: $input) {
    __typename
    ... on DeleteOrganizationPayload { deletedOrganizationId name }
    ... on UserError { message code field }
    ... on OrganizationNotEmptyError { carrierCount }
  }
}
"""

UPDATE_CARRIER = """
mutation UpdateCarrier($input: UpdateCarrierInput!) {
  updateCarrier(input: $input) {
    __typename
    ... on CarrierPayload { carrier { name version } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""

CREATE_ORGANIZATION = """
mutation Create($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    __typename
    ... on OrganizationPayload { organization { id name } carriers { code organization { name } } }
    ... on UserError { message code field }
    ... on AlreadyInOrganizationError { currentOrganization { id name } }
  }
}
"""

DELETE_ATTACH_ROUNDS = 20


@dataclass
class Live:
    """The real app on a real pool over a database whose commits are real."""

    url: str
    client: TestClient[Any, Any]
    pool: KeptPool

    async def post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=bearer(staff_token())
        )
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        assert "errors" not in body, body
        return body

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows

    async def fetchval(self, sql: str, *args: Any) -> Any:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql, *args)

    @asynccontextmanager
    async def holding(self, lock_sql: str, *args: Any, waiters: int) -> AsyncIterator[None]:
        """Hold a row lock while the body starts requests; let go once `waiters` statements wait on it."""
        blocker = await asyncpg.connect(self.url)
        monitor = await asyncpg.connect(self.url)
        try:
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute(lock_sql, *args)
            blocker_pid = blocker.get_server_pid()
            yield
            async with asyncio.timeout(5):
                while True:
                    # The first waiter waits on the blocker; later ones queue behind the first.
                    waiting = await monitor.fetchval(
                        """select count(*) from pg_stat_activity
                           where datname = current_database() and wait_event_type = 'Lock'
                             and pid <> $1""",
                        blocker_pid,
                    )
                    if waiting >= waiters:
                        break
                    await asyncio.sleep(0.01)
            await transaction.rollback()
        finally:
            await blocker.close()
            await monitor.close()


@pytest.fixture
async def live(own_database: str) -> AsyncIterator[Live]:
    pool = await create_pool(own_database, min_size=4, max_size=8, statement_timeout_seconds=5)
    try:
        app = init_app(make_settings(), database=PoolDatabase(pool))
        async with TestClient(TestServer(app)) as client:
            yield Live(own_database, client, pool)
    finally:
        await pool.close()


async def both(first: Awaitable[dict[str, Any]], second: Awaitable[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(first, second))


def typenames(results: Sequence[dict[str, Any]]) -> list[str]:
    return sorted(str(r["__typename"]) for r in results)


async def test_two_attaches_of_one_carrier_to_two_organizations(live: Live) -> None:
    # given
    async with live.pool.acquire() as conn:
        east = await factories.organization(conn, "East Group")
        west = await factories.organization(conn, "West Group")
        carrier_id = await factories.carrier(conn)
    names = {
        to_global_id("Organization", east): "East Group",
        to_global_id("Organization", west): "West Group",
    }

    def attach(organization_id: uuid.UUID) -> Awaitable[dict[str, Any]]:
        return live.post(
            ATTACH,
            {
                "input": {
                    "carrierId": to_global_id("Carrier", carrier_id),
                    "organizationId": to_global_id("Organization", organization_id),
                }
            },
        )

    # when: both attaches wait on the carrier's row together, then race
    async with live.holding("select 1 from carriers where id = $1 for update", carrier_id, waiters=2):
        race = asyncio.ensure_future(both(attach(east), attach(west)))
    results = [r["data"]["attachCarrierToOrganization"] for r in await race]

    # then: exactly one wins; the other is told the winner's name
    assert typenames(results) == ["AlreadyInOrganizationError", "CarrierMembershipPayload"]
    (won,) = [r for r in results if r["__typename"] == "CarrierMembershipPayload"]
    (lost,) = [r for r in results if r["__typename"] == "AlreadyInOrganizationError"]
    winner_id = won["organization"]["id"]
    assert won["carrier"]["version"] == 2
    assert lost["currentOrganization"] == {"id": winner_id, "name": names[winner_id]}
    assert names[winner_id] in lost["message"]
    (row,) = await live.fetch("select organization_id, version from carriers where id = $1", carrier_id)
    assert to_global_id("Organization", row["organization_id"]) == winner_id
    assert row["version"] == 2
    (event,) = await live.fetch("select * from activity_log where action = 'carrier.attach'")
    assert event["organization_id"] == row["organization_id"]
    assert await live.fetchval("select count(*) from activity_log") == 1


async def test_two_renames_to_the_same_name(live: Live) -> None:
    # given
    async with live.pool.acquire() as conn:
        north = await factories.organization(conn, "North Group")
        south = await factories.organization(conn, "South Group")

    def rename(organization_id: uuid.UUID, name: str) -> Awaitable[dict[str, Any]]:
        return live.post(
            RENAME_ORGANIZATION,
            {"input": {"id": to_global_id("Organization", organization_id), "name": name}},
        )

    # when: both wait on their organization's row, then race for the name (which differs only by case)
    async with live.holding(
        "select 1 from organizations where id = any($1::uuid[]) for update", [north, south], waiters=2
    ):
        race = asyncio.ensure_future(both(rename(north, "Merged Group"), rename(south, "MERGED group")))
    results = [r["data"]["renameOrganization"] for r in await race]

    # then
    assert typenames(results) == ["ConflictError", "OrganizationPayload"]
    (won,) = [r for r in results if r["__typename"] == "OrganizationPayload"]
    (lost,) = [r for r in results if r["__typename"] == "ConflictError"]
    assert (lost["code"], lost["field"], lost["currentVersion"]) == ("CONFLICT", "name", None)
    assert won["organization"]["version"] == 2
    rows = await live.fetch("select id, name, version from organizations order by name")
    assert len([r for r in rows if r["name"].lower() == "merged group"]) == 1
    (kept,) = [r for r in rows if r["name"].lower() != "merged group"]
    assert (kept["name"], kept["version"]) in {("North Group", 1), ("South Group", 1)}
    events = await live.fetch("select action, target_id from activity_log")
    assert [(e["action"], to_global_id("Organization", e["target_id"])) for e in events] == [
        ("organization.rename", won["organization"]["id"])
    ]


async def test_delete_racing_attach_never_breaks_the_data(live: Live) -> None:
    outcomes: list[str] = []
    for round_number in range(DELETE_ATTACH_ROUNDS):
        # given: an empty organization and a carrier in none
        async with live.pool.acquire() as conn:
            organization_id = await factories.organization(conn, f"Race Group {round_number}")
            carrier_id = await factories.carrier(conn)
        org = to_global_id("Organization", organization_id)
        delete = live.post(DELETE_ORGANIZATION, {"input": {"id": org}})
        attach = live.post(
            ATTACH, {"input": {"carrierId": to_global_id("Carrier", carrier_id), "organizationId": org}}
        )

        # when: both at once, started in a random order
        if random.random() < 0.5:  # noqa: S311 - only the order of two requests
            deleted_body, attached_body = await both(delete, attach)
        else:
            attached_body, deleted_body = await both(attach, delete)
        deleted = deleted_body["data"]["deleteOrganization"]
        attached = attached_body["data"]["attachCarrierToOrganization"]

        # then: one of two consistent outcomes, and the database agrees with the answers
        organization_exists = await live.fetchval(
            "select exists(select from organizations where id = $1)", organization_id
        )
        carrier_organization = await live.fetchval(
            "select organization_id from carriers where id = $1", carrier_id
        )
        if deleted["__typename"] == "DeleteOrganizationPayload":
            assert (attached["__typename"], attached["field"]) == ("NotFoundError", "organizationId")
            assert not organization_exists
            assert carrier_organization is None
            outcomes.append("deleted")
        else:
            assert (deleted["__typename"], deleted["carrierCount"]) == ("OrganizationNotEmptyError", 1)
            assert attached["__typename"] == "CarrierMembershipPayload"
            assert organization_exists
            assert carrier_organization == organization_id
            outcomes.append("attached")

    # then, overall: no carrier points at a missing organization; one activity row per winning change
    orphans = await live.fetchval(
        """select count(*) from carriers c
           where c.organization_id is not null
             and not exists (select from organizations o where o.id = c.organization_id)"""
    )
    assert orphans == 0
    assert await live.fetchval("select count(*) from activity_log where action = 'organization.delete'") == (
        outcomes.count("deleted")
    )
    assert await live.fetchval("select count(*) from activity_log where action = 'carrier.attach'") == (
        outcomes.count("attached")
    )
    assert await live.fetchval("select count(*) from activity_log") == DELETE_ATTACH_ROUNDS


async def test_two_updates_with_the_same_expected_version(live: Live) -> None:
    # given
    async with live.pool.acquire() as conn:
        carrier_id = await factories.carrier(conn, name="Original Name")

    def update(name: str) -> Awaitable[dict[str, Any]]:
        return live.post(
            UPDATE_CARRIER,
            {"input": {"id": to_global_id("Carrier", carrier_id), "name": name, "expectedVersion": 1}},
        )

    # when: both saw version 1; both wait on the carrier's row, then race
    async with live.holding("select 1 from carriers where id = $1 for update", carrier_id, waiters=2):
        race = asyncio.ensure_future(both(update("Name From Alice"), update("Name From Bob")))
    results = [r["data"]["updateCarrier"] for r in await race]

    # then
    assert typenames(results) == ["CarrierPayload", "ConflictError"]
    (won,) = [r for r in results if r["__typename"] == "CarrierPayload"]
    (lost,) = [r for r in results if r["__typename"] == "ConflictError"]
    assert won["carrier"]["version"] == 2
    assert (lost["code"], lost["field"], lost["currentVersion"]) == ("CONFLICT", "expectedVersion", 2)
    (row,) = await live.fetch("select name, version from carriers where id = $1", carrier_id)
    assert (row["name"], row["version"]) == (won["carrier"]["name"], 2)
    async with live.pool.acquire() as conn:
        await init_connection(conn)
        (event,) = await conn.fetch("select * from activity_log where action = 'carrier.update'")
    assert event["after"]["name"] == won["carrier"]["name"]


async def test_two_organizations_created_from_one_carrier(live: Live) -> None:
    # given
    async with live.pool.acquire() as conn:
        carrier_id = await factories.carrier(conn)

    def create(name: str) -> Awaitable[dict[str, Any]]:
        return live.post(
            CREATE_ORGANIZATION,
            {"input": {"name": name, "carrierIds": [to_global_id("Carrier", carrier_id)]}},
        )

    # when: both have inserted their organization and wait on the carrier's row, then race
    async with live.holding("select 1 from carriers where id = $1 for update", carrier_id, waiters=2):
        race = asyncio.ensure_future(both(create("Alpha Group"), create("Beta Group")))
    results = [r["data"]["createOrganization"] for r in await race]

    # then: one organization exists, with the carrier; the other was rolled back with its refusal
    assert typenames(results) == ["AlreadyInOrganizationError", "OrganizationPayload"]
    (won,) = [r for r in results if r["__typename"] == "OrganizationPayload"]
    (lost,) = [r for r in results if r["__typename"] == "AlreadyInOrganizationError"]
    assert lost["currentOrganization"] == won["organization"]
    assert lost["field"] == "carrierIds[0]"
    assert won["carriers"][0]["organization"] == {"name": won["organization"]["name"]}
    (organization,) = await live.fetch("select id, name from organizations")
    assert organization["name"] == won["organization"]["name"]
    assert (
        await live.fetchval("select organization_id from carriers where id = $1", carrier_id)
        == organization["id"]
    )
    actions = sorted(r["action"] for r in await live.fetch("select action from activity_log"))
    assert actions == ["carrier.attach", "organization.create"]
