"""updateApiKey and revokeApiKey: what may change, by whom, when; a revoked key fails at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory
from tests.factories import bearer
from tests.keys import (
    REVOKE_API_KEY,
    UPDATE_API_KEY,
    Clock,
    admin,
    days,
    insert_key,
    issue,
    key_gid,
    key_uuid,
    mutate,
    new_carrier,
    staff,
    viewer_status,
    when,
)


async def activity_rows(conn: Connection, action: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "select * from activity_log where action = $1 order by occurred_at, id", action
    )
    return rows


# --- updateApiKey --------------------------------------------------------------------------------


async def test_description_allowlist_and_scopes_change_and_are_recorded(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier, description="ERP", ipAllowlist=["10.0.0.0/8"])
    key = issued["apiKey"]

    # when
    result = await mutate(
        client,
        UPDATE_API_KEY,
        staff(),
        id=key["id"],
        description="  ERP (production)  ",
        ipAllowlist=["2001:db8::1", "203.0.113.0/24", "2001:db8::1/128"],
        scopes=["KEYS_READ", "CARRIER_READ"],
        expectedVersion=1,
    )

    # then
    assert result["__typename"] == "ApiKeyPayload"
    updated = result["apiKey"]
    assert updated["id"] == key["id"]
    assert updated["description"] == "ERP (production)"
    assert updated["ipAllowlist"] == ["203.0.113.0/24", "2001:db8::1/128"]
    assert updated["scopes"] == ["CARRIER_READ", "KEYS_READ"]
    assert updated["version"] == 2
    assert updated["hint"] == key["hint"]
    assert updated["expiresAt"] == key["expiresAt"]
    (row,) = await activity_rows(conn, "apiKey.update")
    assert row["target_id"] == key_uuid(key["id"])
    assert row["carrier_id"] == carrier.id
    assert row["before"]["hint"] == row["after"]["hint"] == key["hint"]
    assert (row["before"]["description"], row["after"]["description"]) == ("ERP", "ERP (production)")
    assert (row["before"]["scopes"], row["after"]["scopes"]) == (
        ["CARRIER_READ"],
        ["CARRIER_READ", "KEYS_READ"],
    )
    assert row["before"]["ipAllowlist"] == ["10.0.0.0/8"]
    assert row["after"]["ipAllowlist"] == ["203.0.113.0/24", "2001:db8::1/128"]
    assert (row["before"]["version"], row["after"]["version"]) == (1, 2)
    assert issued["secret"] not in str(dict(row))


async def test_omitted_fields_stay_and_an_empty_allowlist_means_any_address(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    key = (await issue(client, staff(), carrier, ipAllowlist=["192.0.2.0/24"], scopes=["KEYS_READ"]))[
        "apiKey"
    ]

    result = await mutate(client, UPDATE_API_KEY, staff(), id=key["id"], ipAllowlist=[])

    updated = result["apiKey"]
    assert updated["ipAllowlist"] == []
    assert updated["description"] == key["description"]
    assert updated["scopes"] == ["KEYS_READ"]


async def test_the_key_works_under_its_new_allowlist_at_once(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier)
    assert (await viewer_status(client, issued["secret"])).status == 200

    await mutate(client, UPDATE_API_KEY, staff(), id=issued["apiKey"]["id"], ipAllowlist=["192.0.2.0/24"])

    assert (await viewer_status(client, issued["secret"])).status == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"description": " "}, "description", id="blank description"),
        pytest.param({"description": "x" * 201}, "description", id="long description"),
        pytest.param({"scopes": []}, "scopes", id="no scopes"),
        pytest.param({"ipAllowlist": ["10.0.0.0/8", "10.0.0.0/33"]}, "ipAllowlist[1]", id="bad entry"),
    ],
)
async def test_bad_changes_are_refused(
    client: TestClient[Any, Any], conn: Connection, fields: dict[str, Any], field: str
) -> None:
    carrier = await new_carrier(conn)
    key = (await issue(client, staff(), carrier))["apiKey"]

    result = await mutate(client, UPDATE_API_KEY, staff(), id=key["id"], **fields)

    assert result["__typename"] == "ValidationError"
    assert result["field"] == field
    version = await conn.fetchval("select version from api_keys where id = $1", key_uuid(key["id"]))
    assert version == 1


async def test_a_key_cannot_widen_scopes_beyond_its_own(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: an integration allowed to manage keys (and so to read them), but not to read activity
    carrier = await new_carrier(conn)
    _manager_id, manager = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "keys:write"))
    target_id, _ = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))

    # when
    widened = await mutate(
        client,
        UPDATE_API_KEY,
        bearer(manager),
        id=key_gid(target_id),
        scopes=["CARRIER_READ", "ACTIVITY_READ"],
    )
    narrowed = await mutate(
        client, UPDATE_API_KEY, bearer(manager), id=key_gid(target_id), scopes=["KEYS_WRITE"]
    )

    # then
    assert widened["__typename"] == "ForbiddenError"
    assert widened["field"] == "scopes"
    assert "ACTIVITY_READ" in widened["message"]
    assert narrowed["__typename"] == "ApiKeyPayload"
    assert narrowed["apiKey"]["scopes"] == ["KEYS_WRITE"]
    assert len(await activity_rows(conn, "apiKey.update")) == 1


async def test_revoked_and_expired_keys_cannot_change(make_client: ClientFactory, conn: Connection) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    revoked_id, _ = await insert_key(
        conn, carrier.id, created_at=clock.at - days(2), expires_at=clock.at + days(2), revoked_at=clock.at
    )
    expired_id, _ = await insert_key(
        conn, carrier.id, created_at=clock.at - days(2), expires_at=clock.at - timedelta(seconds=1)
    )

    for key_id, status in ((revoked_id, "revoked"), (expired_id, "expired")):
        result = await mutate(client, UPDATE_API_KEY, clock.staff(), id=key_gid(key_id), description="New")

        assert result["__typename"] == "ValidationError"
        assert result["field"] == "id"
        assert status in result["message"]
    assert await activity_rows(conn, "apiKey.update") == []


async def test_a_stale_expected_version_conflicts(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key = (await issue(client, staff(), carrier))["apiKey"]
    await mutate(client, UPDATE_API_KEY, staff(), id=key["id"], description="Second", expectedVersion=1)

    result = await mutate(
        client, UPDATE_API_KEY, staff(), id=key["id"], description="Third", expectedVersion=1
    )

    assert result["__typename"] == "ConflictError"
    assert result["field"] == "expectedVersion"
    assert result["currentVersion"] == 2
    description = await conn.fetchval("select description from api_keys where id = $1", key_uuid(key["id"]))
    assert description == "Second"


async def test_another_tenants_key_is_not_found(client: TestClient[Any, Any], conn: Connection) -> None:
    mine, theirs = await new_carrier(conn), await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, theirs.id)
    _manager_id, manager = await factories.api_key(conn, mine.id, scopes=("keys:write",))

    for headers in (admin(mine.code), bearer(manager)):
        updated = await mutate(client, UPDATE_API_KEY, headers, id=key_gid(key_id), description="Mine now")
        revoked = await mutate(client, REVOKE_API_KEY, headers, id=key_gid(key_id), reason="Not yours")

        assert (updated["__typename"], updated["field"]) == ("NotFoundError", "id")
        assert (revoked["__typename"], revoked["field"]) == ("NotFoundError", "id")
    row = await conn.fetchrow("select description, revoked_at from api_keys where id = $1", key_id)
    assert row is not None
    assert (row["description"], row["revoked_at"]) == ("Test integration", None)


# --- revokeApiKey --------------------------------------------------------------------------------


async def test_a_revoked_key_fails_on_its_next_request(make_client: ClientFactory, conn: Connection) -> None:
    # given
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    issued = await issue(client, clock.staff(), carrier)
    assert (await viewer_status(client, issued["secret"])).status == 200

    # when
    result = await mutate(
        client, REVOKE_API_KEY, clock.staff(), id=issued["apiKey"]["id"], reason="  Laptop stolen  "
    )

    # then
    assert result["__typename"] == "ApiKeyPayload"
    key = result["apiKey"]
    assert key["status"] == "REVOKED"
    assert when(key["revokedAt"]) == clock.at
    assert key["revokedBy"] == {"kind": "STAFF", "id": "staff-1", "name": "Sam Staff"}
    assert key["revocationReason"] == "Laptop stolen"
    assert key["version"] == 2
    reply = await viewer_status(client, issued["secret"])
    assert reply.status == 401
    (error,) = reply.body["errors"]
    assert "revoked" in error["message"]
    assert issued["apiKey"]["hint"] in error["message"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    (row,) = await activity_rows(conn, "apiKey.revoke")
    assert row["reason"] == "Laptop stolen"
    assert row["before"]["status"] == "ACTIVE"
    assert row["after"]["status"] == "REVOKED"
    assert row["after"]["hint"] == issued["apiKey"]["hint"]


async def test_revoking_again_changes_nothing(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key_id = (await issue(client, staff(), carrier))["apiKey"]["id"]
    first = await mutate(client, REVOKE_API_KEY, staff(), id=key_id, reason="First reason")

    again = await mutate(client, REVOKE_API_KEY, admin(carrier.code), id=key_id, reason="Second reason")

    assert again["__typename"] == "ApiKeyPayload"
    assert again["apiKey"] == first["apiKey"]
    assert again["apiKey"]["revocationReason"] == "First reason"
    assert len(await activity_rows(conn, "apiKey.revoke")) == 1


async def test_a_key_can_revoke_itself(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id, scopes=("keys:write",))

    result = await mutate(client, REVOKE_API_KEY, bearer(secret), id=key_gid(key_id), reason="Leaked")

    assert result["apiKey"]["revokedBy"] == {"kind": "API_KEY", "id": str(key_id), "name": "Test integration"}
    assert (await viewer_status(client, secret)).status == 401


@pytest.mark.parametrize("reason", ["", "   ", "r" * 501], ids=["empty", "blank", "501 characters"])
async def test_a_revocation_needs_a_reason_of_at_most_500_characters(
    client: TestClient[Any, Any], conn: Connection, reason: str
) -> None:
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier)

    result = await mutate(client, REVOKE_API_KEY, staff(), id=issued["apiKey"]["id"], reason=reason)

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "reason"
    assert (await viewer_status(client, issued["secret"])).status == 200
    assert await activity_rows(conn, "apiKey.revoke") == []


async def test_a_reason_of_500_characters_is_kept(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key_id = (await issue(client, staff(), carrier))["apiKey"]["id"]

    result = await mutate(client, REVOKE_API_KEY, staff(), id=key_id, reason="r" * 500)

    assert result["apiKey"]["revocationReason"] == "r" * 500
