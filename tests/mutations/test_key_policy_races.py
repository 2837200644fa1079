"""An organization's key-policy change against a key change of one of its carriers, on a database whose
commits are real: each waits for the other (the organization's row: FOR UPDATE by the policy change,
FOR KEY SHARE by the key change), so a key is judged by the policy before the change or after it.

Each test pauses the first mutation after it took its locks (a third connection holds a row it needs
next), sees in pg_stat_activity / pg_blocking_pids that the second waits on the first, then lets go.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from resolvers.global_ids import to_global_id
from tests import factories
from tests.factories import bearer, staff_token
from tests.keys import UPDATE_API_KEY
from tests.keys.test_key_policy_enforcement import CREATE
from tests.mutations import test_concurrency
from tests.mutations.test_concurrency import Live
from tests.mutations.test_set_key_policy import SET_ORGANIZATION

live = test_concurrency.live  # the fixture: the real app on a real pool

GAPS = "query($id: ID!) { apiKey(id: $id) { policyGaps { rule level } } }"


async def post(live: Live, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await live.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=bearer(staff_token())
    )
    body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    return result  # type: ignore[no-any-return]


class Pause:
    """A third connection holding a row a mutation needs next, and a fourth watching who waits."""

    def __init__(self, blocker: asyncpg.Connection, held: Any, monitor: asyncpg.Connection) -> None:
        self.held = held
        self.monitor = monitor
        self.pid = blocker.get_server_pid()

    async def release(self) -> None:
        await self.held.rollback()

    async def waiting_on(self, holder: int) -> int:
        """The pid of the one statement that waits for a lock `holder` holds (waiting for it to show)."""
        async with asyncio.timeout(5):
            while True:
                pids = await self.monitor.fetch(
                    """select pid from pg_stat_activity
                       where datname = current_database() and wait_event_type = 'Lock'
                         and $1 = any(pg_blocking_pids(pid))""",
                    holder,
                )
                if pids:
                    (only,) = pids
                    return int(only["pid"])
                await asyncio.sleep(0.01)


@asynccontextmanager
async def paused(live: Live, lock_sql: str, row_id: uuid.UUID) -> AsyncIterator[Pause]:
    """Hold the row `lock_sql` locks while the body runs; let go at its end."""
    blocker = await asyncpg.connect(live.url)
    monitor = await asyncpg.connect(live.url)
    try:
        held = blocker.transaction()
        await held.start()
        await blocker.execute(lock_sql, row_id)
        yield Pause(blocker, held, monitor)
    finally:
        await blocker.close()
        await monitor.close()


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
    policy_row = "select 1 from organization_key_policies where organization_id = $1 for update"
    async with paused(live, policy_row, organization) as pause:
        # when: the policy goes down to 30 days, and meanwhile a key of 60 days is asked for
        setting = asyncio.ensure_future(post(live, SET_ORGANIZATION, policy_input(organization, 30)))
        setter = await pause.waiting_on(pause.pid)
        expires = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        key = {
            "carrierId": to_global_id("Carrier", carrier),
            "description": "ERP",
            "scopes": ["CARRIER_READ"],
        }
        creating = asyncio.ensure_future(post(live, CREATE, {"input": {**key, "expiresAt": expires}}))
        # then: the key change waits for the policy change (on the organization's row), not for the blocker
        assert await pause.waiting_on(setter) != setter
        assert not creating.done()
        await pause.release()
        set_result, created = await asyncio.gather(setting, creating)
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
    async with paused(live, "select 1 from api_keys where id = $1 for update", key_id) as pause:
        # when: the key is given 60 days, and meanwhile the policy goes down to 30
        expires = (datetime.now(UTC) + timedelta(days=60)).isoformat()
        change = {"id": to_global_id("ApiKey", key_id), "expiresAt": expires}
        updating = asyncio.ensure_future(post(live, UPDATE_API_KEY, {"input": change}))
        updater = await pause.waiting_on(pause.pid)
        setting = asyncio.ensure_future(post(live, SET_ORGANIZATION, policy_input(organization, 30)))
        # then: the policy change waits for the key change (on the organization's row)
        assert await pause.waiting_on(updater) != updater
        assert not setting.done()
        await pause.release()
        updated, set_result = await asyncio.gather(updating, setting)
    # the key was judged by the policy before the change, and the change that followed lists it as short
    assert updated["__typename"] == "ApiKeyPayload", updated
    assert set_result["ownKeyPolicy"]["maxLifetimeDays"] == 30, set_result
    gaps = await post(live, GAPS, {"id": to_global_id("ApiKey", key_id)})
    assert gaps["policyGaps"] == [{"rule": "POLICY_MAX_LIFETIME", "level": "ORGANIZATION"}]
