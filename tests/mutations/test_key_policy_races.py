"""An organization's key-policy change against a key change of one of its carriers, on a database whose
commits are real: each waits for the other (the organization's row: FOR UPDATE by the policy change,
FOR KEY SHARE by the key change), so a key is judged by the policy before the change or after it.

Each test pauses the first mutation after it took its locks (a third connection holds a row it needs
next), sees in pg_stat_activity / pg_blocking_pids that the second waits on the first, then lets go.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from resolvers.global_ids import to_global_id
from tests import factories
from tests.factories import bearer, staff_token
from tests.keys import UPDATE_API_KEY
from tests.mutations import test_concurrency
from tests.mutations.test_concurrency import Live

live = test_concurrency.live  # the fixture: the real app on a real pool

SET_ORGANIZATION = """
mutation Set($input: SetOrganizationKeyPolicyInput!) {
  setOrganizationKeyPolicy(input: $input) {
    __typename
    ... on OrganizationKeyPolicyPayload { ownKeyPolicy { maxLifetimeDays version } }
    ... on UserError { message code field }
  }
}
"""
CREATE = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeyPayload { apiKey { id expiresAt } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule level }
  }
}
"""
GAPS = "query($id: ID!) { apiKey(id: $id) { policyGaps { rule level } } }"


async def post(live: Live, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await live.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=bearer(staff_token())
    )
    body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    return result  # type: ignore[no-any-return]


async def waiting_on(monitor: asyncpg.Connection, blocker: int) -> int:
    """The pid of the one statement that waits for a lock `blocker` holds (waiting for it to show)."""
    async with asyncio.timeout(5):
        while True:
            pids = await monitor.fetch(
                """select pid from pg_stat_activity
                   where datname = current_database() and wait_event_type = 'Lock'
                     and $1 = any(pg_blocking_pids(pid))""",
                blocker,
            )
            if pids:
                (only,) = pids
                return int(only["pid"])
            await asyncio.sleep(0.01)


async def governed(live: Live, max_lifetime_days: int | None) -> tuple[uuid.UUID, uuid.UUID]:
    async with live.pool.acquire() as conn:
        organization = await factories.organization(conn)
        carrier = await factories.carrier(conn, factories.unique_code("R"), organization_id=organization)
        await conn.execute(
            "insert into organization_key_policies (organization_id, max_lifetime_days, updated_by_kind) "
            "values ($1, $2, 'system')",
            organization,
            max_lifetime_days,
        )
    return organization, carrier


def policy_input(organization: uuid.UUID, days: int) -> dict[str, Any]:
    return {"input": {"organizationId": to_global_id("Organization", organization), "maxLifetimeDays": days}}


async def test_a_key_created_during_a_policy_change_waits_and_follows_the_new_policy(live: Live) -> None:
    # given: an organization allowing 90 days, and a third connection holding its policy row, so that the
    # policy change stops after locking the organization, before writing
    organization, carrier = await governed(live, 90)
    blocker = await asyncpg.connect(live.url)
    monitor = await asyncpg.connect(live.url)
    try:
        held = blocker.transaction()
        await held.start()
        await blocker.execute(
            "select 1 from organization_key_policies where organization_id = $1 for update", organization
        )
        # when: the policy goes down to 30 days, and meanwhile a key of 60 days is asked for
        setting = asyncio.ensure_future(post(live, SET_ORGANIZATION, policy_input(organization, 30)))
        setter = await waiting_on(monitor, blocker.get_server_pid())
        expires = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        creating = asyncio.ensure_future(
            post(
                live,
                CREATE,
                {
                    "input": {
                        "carrierId": to_global_id("Carrier", carrier),
                        "description": "ERP",
                        "scopes": ["CARRIER_READ"],
                        "expiresAt": expires,
                    }
                },
            )
        )
        # then: the key change waits for the policy change (on the organization's row), not for the blocker
        assert await waiting_on(monitor, setter) != setter
        assert not creating.done()
        await held.rollback()
        set_result, created = await asyncio.gather(setting, creating)
    finally:
        await blocker.close()
        await monitor.close()
    assert set_result["ownKeyPolicy"]["maxLifetimeDays"] == 30, set_result
    assert (created["__typename"], created.get("rule"), created.get("level")) == (
        "ForbiddenError",
        "POLICY_MAX_LIFETIME",
        "ORGANIZATION",
    ), created
    assert await live.fetchval("select count(*) from api_keys where carrier_id = $1", carrier) == 0


async def test_a_policy_change_during_a_key_update_waits_and_the_key_is_listed_as_short(live: Live) -> None:
    # given: a key of a carrier whose organization allows 90 days, and a third connection holding the key's
    # row, so that the key's update stops after locking its carrier (and the organization), before writing
    organization, carrier = await governed(live, 90)
    async with live.pool.acquire() as conn:
        key_id, _ = await factories.api_key(conn, carrier, expires_at=datetime.now(UTC) + timedelta(days=10))
    blocker = await asyncpg.connect(live.url)
    monitor = await asyncpg.connect(live.url)
    try:
        held = blocker.transaction()
        await held.start()
        await blocker.execute("select 1 from api_keys where id = $1 for update", key_id)
        # when: the key is given 60 days, and meanwhile the policy goes down to 30
        expires = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        updating = asyncio.ensure_future(
            post(
                live, UPDATE_API_KEY, {"input": {"id": to_global_id("ApiKey", key_id), "expiresAt": expires}}
            ),
        )
        updater = await waiting_on(monitor, blocker.get_server_pid())
        setting = asyncio.ensure_future(post(live, SET_ORGANIZATION, policy_input(organization, 30)))
        # then: the policy change waits for the key change (on the organization's row)
        assert await waiting_on(monitor, updater) != updater
        assert not setting.done()
        await held.rollback()
        updated, set_result = await asyncio.gather(updating, setting)
    finally:
        await blocker.close()
        await monitor.close()
    # the key was judged by the policy before the change, and the change that followed lists it as short
    assert updated["__typename"] == "ApiKeyPayload", updated
    assert set_result["ownKeyPolicy"]["maxLifetimeDays"] == 30, set_result
    gaps = await post(live, GAPS, {"id": to_global_id("ApiKey", key_id)})
    assert gaps["policyGaps"] == [{"rule": "POLICY_MAX_LIFETIME", "level": "ORGANIZATION"}]
