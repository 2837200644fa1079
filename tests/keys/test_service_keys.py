"""Service keys: staff issue them for the vendor's other services; they belong to no carrier, reach every
carrier, only read (CARRIER_READ, ENABLEMENTS_READ, enforced by the database too), and are managed like
any key by staff alone. Nobody else sees them or their events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from access.principal import SERVICE_SCOPES, Scope
from db import key_expiry
from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import drawn
from tests.keys import (
    KEY_FIELDS,
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    UPDATE_API_KEY,
    admin,
    days,
    mutate,
    new_carrier,
    post,
    staff,
    viewer_status,
)

CREATE_SERVICE_KEY = (
    """
mutation CreateServiceKey($input: CreateServiceKeyInput!) {
  createServiceKey(input: $input) {
    __typename
    ... on CreateApiKeyPayload { secret replayed apiKey { ...KeyFields kind carrier { id } } }
    ... on UserError { message code field }
    ... on ForbiddenError { rule }
    ... on LimitReachedError { limit }
  }
}
"""
    + KEY_FIELDS
)
SERVICE_READ = """query ($codes: [String!]) {
  carriers(first: 5) { totalCount }
  effectiveEnablements(carrierCodes: $codes) { carriers { code } unknownCarriers }
}"""
SERVICE_KEYS = "{ apiKeys(first: 50, filter: {kind: SERVICE}) { nodes { id kind carrier { id } } } }"
SERVICE_SCOPE_NAMES = sorted(scope.name for scope in SERVICE_SCOPES)


async def create_service_key(
    client: TestClient[Any, Any], headers: dict[str, str] | None = None, **fields: Any
) -> dict[str, Any]:
    fields = {"description": "Billing: enablement sync", "scopes": SERVICE_SCOPE_NAMES, **fields}
    return await mutate(client, CREATE_SERVICE_KEY, headers or staff(), **fields)


async def test_staff_issue_a_service_key_that_reads_every_carrier(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: carriers of two tenants
    first, second = await new_carrier(conn), await new_carrier(conn)

    # when: staff issue a service key
    issued = await create_service_key(client)

    # then: shown once, of no carrier, and it reads both tenants' enablements
    assert issued["__typename"] == "CreateApiKeyPayload", issued
    assert issued["apiKey"]["kind"] == "SERVICE"
    assert issued["apiKey"]["carrier"] is None
    assert issued["apiKey"]["scopes"] == SERVICE_SCOPE_NAMES
    read = await post(
        client, SERVICE_READ, {"codes": [first.code, second.code]}, factories.bearer(issued["secret"])
    )
    assert "errors" not in read.body, read.body
    answer = read.body["data"]["effectiveEnablements"]
    assert [c["code"] for c in answer["carriers"]] == [first.code, second.code]
    assert read.body["data"]["carriers"]["totalCount"] >= 2


async def test_a_service_key_reads_nothing_beyond_its_scopes(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    issued = await create_service_key(client)
    for document, scope in (
        ("{ apiKeys(first: 1) { totalCount } }", "KEYS_READ"),
        ("{ activity(first: 1) { totalCount } }", "ACTIVITY_READ"),
    ):
        reply = await post(client, document, headers=factories.bearer(issued["secret"]))
        assert reply.body["errors"][0]["extensions"]["requiredScope"] == scope
    reply = await post(client, "{ organizations { totalCount } }", headers=factories.bearer(issued["secret"]))
    assert reply.body["errors"][0]["extensions"]["restricted"] is True


async def test_only_staff_issue_service_keys(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    _, writer = await factories.api_key(conn, carrier.id, scopes=("keys:write", "enablements:read"))
    before = await conn.fetchval("select count(*) from api_keys where carrier_id is null")
    for headers in (admin(carrier.code), factories.bearer(writer)):
        reply = await post(
            client,
            CREATE_SERVICE_KEY,
            {"input": {"description": "Sneaky", "scopes": ["ENABLEMENTS_READ"]}},
            headers,
        )
        assert reply.body["data"]["createServiceKey"] is None
        assert reply.body["errors"][0]["extensions"]["restricted"] is True
    assert await conn.fetchval("select count(*) from api_keys where carrier_id is null") == before


SCOPE_SETS = st.sets(st.sampled_from(list(Scope)), min_size=1)


async def test_a_service_key_holds_read_scopes_only(client: TestClient[Any, Any], conn: Connection) -> None:
    for scopes in drawn(SCOPE_SETS, 20):
        before = await conn.fetchval("select count(*) from api_keys where carrier_id is null")
        result = await create_service_key(client, scopes=sorted(s.name for s in scopes))
        if scopes <= SERVICE_SCOPES:
            assert result["__typename"] == "CreateApiKeyPayload", (scopes, result)
            assert result["apiKey"]["scopes"] == sorted(s.name for s in scopes)
            await mutate(client, REVOKE_API_KEY, staff(), id=result["apiKey"]["id"], reason="test done")
        else:
            assert (result["__typename"], result["field"]) == ("ValidationError", "scopes"), (scopes, result)
            assert await conn.fetchval("select count(*) from api_keys where carrier_id is null") == before


async def test_the_database_refuses_a_service_key_that_writes(conn: Connection) -> None:
    key_id, _ = await factories.api_key(conn, None, scopes=("enablements:read",))
    with pytest.raises(asyncpg.CheckViolationError):
        async with conn.transaction():
            await conn.execute("update api_keys set scopes = '{keys:write}' where id = $1", key_id)


async def test_staff_update_rotate_and_revoke_a_service_key(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    issued = await create_service_key(client, scopes=["ENABLEMENTS_READ"])
    key_id = issued["apiKey"]["id"]

    widened = await mutate(client, UPDATE_API_KEY, staff(), id=key_id, scopes=["KEYS_READ"])
    assert (widened["__typename"], widened["field"]) == ("ValidationError", "scopes")
    updated = await mutate(client, UPDATE_API_KEY, staff(), id=key_id, scopes=SERVICE_SCOPE_NAMES)
    assert updated["apiKey"]["scopes"] == SERVICE_SCOPE_NAMES

    rotated = await mutate(client, ROTATE_API_KEY, staff(), id=key_id)
    assert rotated["__typename"] == "RotateApiKeyPayload", rotated
    assert (await viewer_status(client, issued["secret"])).status == 401
    assert (await viewer_status(client, rotated["secret"])).status == 200

    revoked = await mutate(client, REVOKE_API_KEY, staff(), id=rotated["apiKey"]["id"], reason="retired")
    assert revoked["apiKey"]["status"] == "REVOKED"
    assert (await viewer_status(client, rotated["secret"])).status == 401


async def test_nobody_but_staff_sees_a_service_key_or_its_events(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    await factories.api_key(conn, carrier.id)
    issued = await create_service_key(client)
    key_id = issued["apiKey"]["id"]

    listed = await post(client, SERVICE_KEYS, headers=staff())
    assert key_id in [k["id"] for k in listed.body["data"]["apiKeys"]["nodes"]]
    assert {(k["kind"], k["carrier"]) for k in listed.body["data"]["apiKeys"]["nodes"]} == {("SERVICE", None)}

    as_admin = await post(client, SERVICE_KEYS, headers=admin(carrier.code))
    assert as_admin.body["data"]["apiKeys"]["nodes"] == []
    one = await post(
        client, "query ($id: ID!) { apiKey(id: $id) { id } }", {"id": key_id}, admin(carrier.code)
    )
    assert one.body["data"]["apiKey"] is None
    revoke = await mutate(client, REVOKE_API_KEY, admin(carrier.code), id=key_id, reason="not mine")
    assert revoke["__typename"] == "NotFoundError"

    events = "query ($id: ID!) { activity(targetId: $id, first: 5) { nodes { action } } }"
    seen_by_staff = await post(client, events, {"id": key_id}, staff())
    assert [e["action"] for e in seen_by_staff.body["data"]["activity"]["nodes"]] == ["apiKey.create"]
    seen_by_admin = await post(client, events, {"id": key_id}, admin(carrier.code))
    assert seen_by_admin.body["data"]["activity"]["nodes"] == []


async def test_a_service_key_gets_its_expiry_notices(conn: Connection) -> None:
    now = await conn.fetchval("select now()")
    key_id, _ = await factories.api_key(
        conn,
        None,
        scopes=("enablements:read",),
        created_at=now - timedelta(days=80),
        expires_at=now + days(2),
    )
    await key_expiry.write_notices(conn, now=now, warn_within=days(7))
    events = await conn.fetch(
        "select action, carrier_id, organization_id from activity_log where target_id = $1", key_id
    )
    assert [tuple(e) for e in events] == [("apiKey.expiring", None, None)]


async def test_a_retry_with_the_same_idempotency_key_finds_the_first_service_key(
    client: TestClient[Any, Any],
) -> None:
    first = await create_service_key(client, idempotencyKey="sync-2026-11")
    again = await create_service_key(client, idempotencyKey="sync-2026-11")
    assert again["replayed"] is True
    assert again["secret"] is None
    assert again["apiKey"]["id"] == first["apiKey"]["id"]


async def test_service_keys_have_a_limit_of_active_keys(make_client: ClientFactory, conn: Connection) -> None:
    client = await make_client(max_active_keys_per_carrier=2)
    active = await conn.fetchval(
        "select count(*) from api_keys where carrier_id is null and revoked_at is null and expires_at > now()"
    )
    results = [await create_service_key(client) for _ in range(max(0, 2 - active) + 1)]
    assert results[-1]["__typename"] == "LimitReachedError"
    assert results[-1]["limit"] == 2
