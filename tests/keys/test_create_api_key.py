"""createApiKey: who may issue keys, what a key may be, every refused input, idempotency and the limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from access import keyformat
from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.factories import bearer
from tests.keys import (
    CREATE_API_KEY,
    REVOKE_API_KEY,
    Carrier,
    Clock,
    admin,
    create,
    days,
    insert_key,
    issue,
    key_input,
    key_uuid,
    mutate,
    new_carrier,
    post,
    staff,
    viewer_status,
    when,
)

ALL_SCOPES = ["ACTIVITY_READ", "CARRIER_READ", "ENABLEMENTS_READ", "KEYS_READ", "KEYS_WRITE"]


async def key_count(conn: Connection, carrier: Carrier) -> int:
    count: int = await conn.fetchval("select count(*) from api_keys where carrier_id = $1", carrier.id)
    return count


async def activity_rows(conn: Connection, action: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "select * from activity_log where action = $1 order by occurred_at, id", action
    )
    return rows


# --- issuing -------------------------------------------------------------------------------------


async def test_staff_issue_a_key_and_see_its_secret_once(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)

    # when
    payload = await issue(
        client,
        clock.staff(),
        carrier,
        description="  Production ERP integration \n",
        scopes=["KEYS_READ", "CARRIER_READ", "KEYS_READ"],
        ipAllowlist=[
            "10.0.0.5",
            "2001:db8::/32",
            " 10.1.0.0/16 ",
            "10.0.0.5/32",
            "::ffff:192.0.2.1",
            "127.0.0.1",
        ],
    )

    # then
    secret = payload["secret"]
    key = payload["apiKey"]
    assert keyformat.FULL_MATCH.fullmatch(secret)
    assert secret.startswith("cak_test_")
    assert payload["replayed"] is False
    assert key["description"] == "Production ERP integration"
    assert key["scopes"] == ["CARRIER_READ", "KEYS_READ"]
    assert key["ipAllowlist"] == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "127.0.0.1/32",
        "192.0.2.1/32",
        "2001:db8::/32",
    ]
    assert key["environment"] == "test"
    assert key["hint"] == keyformat.hint(secret)
    assert key["hint"] == f"cak_test_\u2026{secret[-4:]}"
    assert key["status"] == "ACTIVE"
    assert key["version"] == 1
    assert when(key["createdAt"]) == clock.at
    assert when(key["expiresAt"]) == clock.at + days(90)
    assert key["createdBy"] == {"kind": "STAFF", "id": "staff-1", "name": "Sam Staff"}
    assert key["revokedAt"] is None
    assert key["lastUsedAt"] is None
    assert key["rotatedFrom"] is None
    # the database keeps the digest, which is what a presented key is looked up by
    stored = await conn.fetchrow("select * from api_keys where id = $1", key_uuid(key["id"]))
    assert stored is not None
    assert bytes(stored["secret_hash"]) == keyformat.hash_secret(secret)
    assert stored["carrier_id"] == carrier.id
    assert stored["hint"] == key["hint"]
    # and the secret works at once (the test client calls from 127.0.0.1)
    reply = await viewer_status(client, secret)
    assert reply.status == 200
    assert reply.body == {"data": {"viewer": {"kind": "API_KEY", "id": str(key_uuid(key["id"]))}}}


async def test_issuing_is_recorded_with_the_hint(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)

    payload = await issue(client, staff(), carrier, description="Yard system")

    (row,) = await activity_rows(conn, "apiKey.create")
    assert row["target_type"] == "ApiKey"
    assert row["target_id"] == key_uuid(payload["apiKey"]["id"])
    assert row["carrier_id"] == carrier.id
    assert row["actor_kind"] == "staff"
    assert row["before"] is None
    assert row["after"]["hint"] == payload["apiKey"]["hint"]
    assert row["after"]["description"] == "Yard system"
    assert row["after"]["scopes"] == ["CARRIER_READ"]
    assert payload["secret"] not in str(dict(row))


async def test_a_carrier_admin_issues_keys_for_their_carrier_with_any_scope(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)

    payload = await issue(client, admin(carrier.code), carrier, scopes=ALL_SCOPES)

    assert payload["apiKey"]["scopes"] == ALL_SCOPES
    assert payload["apiKey"]["createdBy"] == {"kind": "ADMIN", "id": "admin-1", "name": "Alex Admin"}


async def test_a_key_with_keys_write_issues_keys_for_its_own_carrier(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given
    carrier = await new_carrier(conn)
    caller_id, caller = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "keys:write"))

    # when
    payload = await issue(client, bearer(caller), carrier, scopes=["CARRIER_READ"])

    # then
    assert payload["apiKey"]["scopes"] == ["CARRIER_READ"]
    assert payload["apiKey"]["createdBy"] == {
        "kind": "API_KEY",
        "id": str(caller_id),
        "name": "Test integration",
    }
    assert await key_count(conn, carrier) == 2


async def test_a_key_cannot_grant_a_scope_it_does_not_hold(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    _caller_id, caller = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "keys:write"))

    result = await create(client, bearer(caller), carrier, scopes=["CARRIER_READ", "ACTIVITY_READ"])

    assert result["__typename"] == "ForbiddenError"
    assert result["code"] == "FORBIDDEN"
    assert result["field"] == "scopes"
    assert "ACTIVITY_READ" in result["message"]
    assert await key_count(conn, carrier) == 1
    assert await activity_rows(conn, "apiKey.create") == []


async def test_a_key_without_keys_write_cannot_issue_keys(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    _caller_id, caller = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "keys:read"))

    assert (await viewer_status(client, caller)).status == 200

    reply = await post(client, CREATE_API_KEY, {"input": key_input(carrier)}, bearer(caller))

    assert reply.body["data"] is None
    assert reply.body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await key_count(conn, carrier) == 1


# --- whose carrier -------------------------------------------------------------------------------


async def test_another_tenants_carrier_is_not_found_like_a_garbage_id(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given
    mine = await new_carrier(conn)
    theirs = await new_carrier(conn)
    organization_id = await factories.organization(conn)
    _caller_id, caller = await factories.api_key(conn, mine.id, scopes=("keys:write", "carrier:read"))
    attempts = [
        (admin(mine.code), theirs.gid),
        (bearer(caller), theirs.gid),
        (admin(mine.code), "bm90LWFuLWlk"),
        (admin(mine.code), "not base64 at all!"),
        (staff(), str(to_global_id("Organization", organization_id))),
        (staff(), str(to_global_id("Carrier", organization_id))),  # right type, nothing behind it
    ]

    # when
    results = []
    for headers, carrier_id in attempts:
        result = await create(client, headers, mine, carrierId=carrier_id)
        results.append((carrier_id, result))

    # then
    shapes = set()
    for carrier_id, result in results:
        assert result["__typename"] == "NotFoundError", result
        assert result["code"] == "NOT_FOUND"
        assert result["field"] == "carrierId"
        shapes.add(result["message"].replace(repr(carrier_id), "<id>"))
    assert shapes == {"No Carrier with id <id> was found."}
    assert await key_count(conn, theirs) == 0
    assert await activity_rows(conn, "apiKey.create") == []


# --- expiry --------------------------------------------------------------------------------------


async def test_an_expiry_up_to_365_days_is_kept(make_client: ClientFactory, conn: Connection) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)

    exact = await issue(client, clock.staff(), carrier, expiresAt=(clock.at + days(365)).isoformat())
    soon = await issue(
        client, clock.staff(), carrier, expiresAt=(clock.at + timedelta(seconds=1)).isoformat()
    )

    assert when(exact["apiKey"]["expiresAt"]) == clock.at + days(365)
    assert when(soon["apiKey"]["expiresAt"]) == clock.at + timedelta(seconds=1)


@pytest.mark.parametrize(
    "expiry",
    [
        pytest.param(days(365) + timedelta(seconds=1), id="365 days and a second"),
        pytest.param(days(366), id="366 days"),
        pytest.param(timedelta(0), id="now"),
        pytest.param(-timedelta(seconds=1), id="a second ago"),
        pytest.param(-days(30), id="last month"),
    ],
)
async def test_an_expiry_outside_the_allowed_window_is_refused(
    make_client: ClientFactory, conn: Connection, expiry: timedelta
) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)

    result = await create(client, clock.staff(), carrier, expiresAt=(clock.at + expiry).isoformat())

    assert result["__typename"] == "ValidationError"
    assert result["code"] == "BAD_USER_INPUT"
    assert result["field"] == "expiresAt"
    assert await key_count(conn, carrier) == 0


async def test_an_expiry_without_a_time_zone_is_refused(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)

    result = await create(client, staff(), carrier, expiresAt="2030-01-01T00:00:00")

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "expiresAt"
    assert await key_count(conn, carrier) == 0


async def test_a_key_without_expiry_needs_staff_and_the_setting(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given
    carrier = await new_carrier(conn)
    default = await make_client()
    allowing = await make_client(allow_non_expiring_keys=True)

    # when / then: the setting off, even staff are refused
    refused = await create(default, staff(), carrier, neverExpires=True)
    assert refused["__typename"] == "ForbiddenError"
    assert refused["field"] == "neverExpires"
    assert "365 days" in refused["message"]

    # the setting on, an administrator is still refused
    refused = await create(allowing, admin(carrier.code), carrier, neverExpires=True)
    assert refused["__typename"] == "ForbiddenError"
    assert refused["field"] == "neverExpires"
    assert await key_count(conn, carrier) == 0

    # the setting on, staff get a key that never expires
    payload = await issue(allowing, staff(), carrier, neverExpires=True)
    assert payload["apiKey"]["expiresAt"] is None
    assert payload["apiKey"]["status"] == "ACTIVE"


async def test_never_expires_with_an_expiry_is_refused(make_client: ClientFactory, conn: Connection) -> None:
    clock = Clock()
    client = await make_client(now=clock, allow_non_expiring_keys=True)
    carrier = await new_carrier(conn)

    result = await create(
        client, clock.staff(), carrier, neverExpires=True, expiresAt=(clock.at + days(10)).isoformat()
    )

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "neverExpires"
    assert await key_count(conn, carrier) == 0


# --- bad inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"description": ""}, "description", id="empty description"),
        pytest.param({"description": "   \t "}, "description", id="blank description"),
        pytest.param({"description": "x" * 201}, "description", id="201-character description"),
        pytest.param({"description": "ERP\x07bell"}, "description", id="control character"),
        pytest.param({"scopes": []}, "scopes", id="no scopes"),
        pytest.param({"ipAllowlist": ["10.0.0.1", ""]}, "ipAllowlist[1]", id="empty entry"),
        pytest.param({"ipAllowlist": ["10.0.0.1", "  "]}, "ipAllowlist[1]", id="blank entry"),
        pytest.param({"ipAllowlist": ["10.0.0.1", "300.1.1.1"]}, "ipAllowlist[1]", id="octet > 255"),
        pytest.param({"ipAllowlist": ["10.0.0.0/33"]}, "ipAllowlist[0]", id="prefix > 32"),
        pytest.param({"ipAllowlist": ["2001:db8::/129"]}, "ipAllowlist[0]", id="prefix > 128"),
        pytest.param({"ipAllowlist": ["::1", "fe80::1%eth0"]}, "ipAllowlist[1]", id="zone id"),
        pytest.param({"ipAllowlist": ["not-an-ip"]}, "ipAllowlist[0]", id="not an address"),
        pytest.param({"ipAllowlist": ["10.0.0.0/8", "10.0.0.1/24"]}, "ipAllowlist[1]", id="host bits"),
        pytest.param({"ipAllowlist": ["2001:db8::1/32"]}, "ipAllowlist[0]", id="IPv6 host bits"),
        pytest.param({"ipAllowlist": [f"10.0.{i}.0/24" for i in range(51)]}, "ipAllowlist", id="51 entries"),
        pytest.param({"idempotencyKey": "   "}, "idempotencyKey", id="blank idempotency key"),
        pytest.param({"idempotencyKey": "k" * 201}, "idempotencyKey", id="201-character idempotency key"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_issued(
    client: TestClient[Any, Any], conn: Connection, fields: dict[str, Any], field: str
) -> None:
    carrier = await new_carrier(conn)

    result = await create(client, staff(), carrier, **fields)

    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "BAD_USER_INPUT"
    assert result["field"] == field
    assert result["message"]
    assert await key_count(conn, carrier) == 0
    assert await activity_rows(conn, "apiKey.create") == []


async def test_host_bits_are_explained(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)

    result = await create(client, staff(), carrier, ipAllowlist=["10.0.0.1/24"])

    assert result["field"] == "ipAllowlist[0]"
    assert "10.0.0.0/24" in result["message"]


async def test_the_largest_inputs_are_accepted(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    fifty = [f"10.0.{i}.0/24" for i in range(50)]

    payload = await issue(client, staff(), carrier, description="d" * 200, ipAllowlist=fifty)

    assert payload["apiKey"]["description"] == "d" * 200
    assert payload["apiKey"]["ipAllowlist"] == fifty


# --- idempotency ---------------------------------------------------------------------------------


async def test_a_retry_returns_the_same_key_without_its_secret(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given
    carrier = await new_carrier(conn)
    first = await issue(client, staff(), carrier, idempotencyKey="erp-2024-01", scopes=["KEYS_READ"])

    # when
    retry = await issue(client, staff(), carrier, idempotencyKey="erp-2024-01", scopes=["KEYS_READ"])

    # then
    assert first["replayed"] is False
    assert keyformat.FULL_MATCH.fullmatch(first["secret"])
    assert retry["replayed"] is True
    assert retry["secret"] is None
    assert retry["apiKey"]["id"] == first["apiKey"]["id"]
    assert retry["apiKey"]["hint"] == first["apiKey"]["hint"]
    assert await key_count(conn, carrier) == 1
    assert len(await activity_rows(conn, "apiKey.create")) == 1


async def test_the_same_idempotency_key_on_another_carrier_issues_another_key(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    one, two = await new_carrier(conn), await new_carrier(conn)

    first = await issue(client, staff(), one, idempotencyKey="shared")
    second = await issue(client, staff(), two, idempotencyKey="shared")

    assert second["replayed"] is False
    assert second["apiKey"]["id"] != first["apiKey"]["id"]


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param({"description": "Another integration"}, id="description"),
        pytest.param({"scopes": ["CARRIER_READ", "KEYS_READ"]}, id="scopes"),
    ],
)
async def test_an_idempotency_key_reused_for_a_different_key_conflicts(
    client: TestClient[Any, Any], conn: Connection, changed: dict[str, Any]
) -> None:
    carrier = await new_carrier(conn)
    await issue(client, staff(), carrier, idempotencyKey="erp-1")

    result = await create(client, staff(), carrier, idempotencyKey="erp-1", **changed)

    assert result["__typename"] == "ConflictError"
    assert result["code"] == "CONFLICT"
    assert result["field"] == "idempotencyKey"
    assert await key_count(conn, carrier) == 1


# --- the per-carrier limit -----------------------------------------------------------------------


async def test_a_carrier_holds_at_most_the_configured_number_of_active_keys(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a revoked and an expired key, which do not count
    clock = Clock()
    client = await make_client(now=clock, max_active_keys_per_carrier=3)
    carrier = await new_carrier(conn)
    other = await new_carrier(conn)
    await insert_key(
        conn, carrier.id, created_at=clock.at - days(10), expires_at=clock.at + days(10), revoked_at=clock.at
    )
    await insert_key(conn, carrier.id, created_at=clock.at - days(10), expires_at=clock.at - days(1))

    # when
    issued = [await issue(client, clock.staff(), carrier, description=f"Key {i}") for i in range(3)]
    fourth = await create(client, clock.staff(), carrier, description="Key 3")

    # then
    assert len(issued) == 3
    assert fourth["__typename"] == "LimitReachedError"
    assert fourth["code"] == "LIMIT_REACHED"
    assert fourth["limit"] == 3
    assert carrier.code in fourth["message"]
    assert await key_count(conn, carrier) == 5
    # another carrier has its own allowance
    await issue(client, clock.staff(), other)

    # when one key is revoked, there is room again
    revoked = await mutate(
        client, REVOKE_API_KEY, clock.staff(), id=issued[0]["apiKey"]["id"], reason="replaced"
    )
    assert revoked["__typename"] == "ApiKeyPayload"
    await issue(client, clock.staff(), carrier, description="Key 4")
    assert (await create(client, clock.staff(), carrier))["__typename"] == "LimitReachedError"

    # and when the clock passes a key's expiry, that key stops counting too
    clock.set(clock.at + days(91))  # every key issued above has expired by now
    assert (await issue(client, clock.staff(), carrier))["apiKey"]["status"] == "ACTIVE"


async def test_a_retry_at_the_limit_replays_the_first_key(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(max_active_keys_per_carrier=1)
    carrier = await new_carrier(conn)
    first = await issue(client, staff(), carrier, idempotencyKey="only-one")

    retry = await issue(client, staff(), carrier, idempotencyKey="only-one")

    assert (retry["replayed"], retry["secret"]) == (True, None)
    assert retry["apiKey"]["id"] == first["apiKey"]["id"]
    assert (await create(client, staff(), carrier))["__typename"] == "LimitReachedError"
