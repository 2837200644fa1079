"""rotateApiKey: a new key of the same settings, its secret shown once, the old key kept for a grace
period judged by the app's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from access import keyformat
from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory
from tests.factories import bearer
from tests.keys import (
    API_KEY,
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    Clock,
    admin,
    days,
    issue,
    key_gid,
    key_uuid,
    mutate,
    new_carrier,
    post,
    staff,
    viewer_status,
    when,
)

HOUR = 3600
SECOND = timedelta(seconds=1)


async def activity_rows(conn: Connection, action: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "select * from activity_log where action = $1 order by occurred_at, id", action
    )
    return rows


async def test_rotation_issues_a_key_of_the_same_settings_and_keeps_the_old_one_for_the_grace_period(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    old = await issue(
        client,
        clock.staff(),
        carrier,
        description="Warehouse system",
        scopes=["KEYS_READ", "CARRIER_READ"],
        ipAllowlist=["127.0.0.1", "2001:db8::/48"],
    )

    # when
    result = await mutate(
        client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=HOUR
    )

    # then: the new key
    assert result["__typename"] == "RotateApiKeyPayload"
    new, previous, secret = result["apiKey"], result["previousKey"], result["secret"]
    assert keyformat.FULL_MATCH.fullmatch(secret)
    assert secret != old["secret"]
    assert new["id"] != old["apiKey"]["id"]
    assert new["hint"] == keyformat.hint(secret)
    assert new["description"] == "Warehouse system"
    assert new["scopes"] == ["CARRIER_READ", "KEYS_READ"]
    assert new["ipAllowlist"] == ["127.0.0.1/32", "2001:db8::/48"]
    assert new["environment"] == "test"
    assert new["status"] == "ACTIVE"
    assert new["revokedAt"] is None
    assert new["rotatedFrom"] == {"id": old["apiKey"]["id"], "hint": old["apiKey"]["hint"]}
    assert when(new["createdAt"]) == clock.at
    # the old key: still active, revoked at the end of the grace period
    assert previous["id"] == old["apiKey"]["id"]
    assert previous["status"] == "ACTIVE"
    assert when(previous["revokedAt"]) == clock.at + timedelta(seconds=HOUR)
    assert previous["revokedBy"] == {"kind": "STAFF", "id": "staff-1", "name": "Sam Staff"}
    assert new["hint"] in previous["revocationReason"]
    # both keys work now
    assert (await viewer_status(client, secret)).status == 200
    assert (await viewer_status(client, old["secret"])).status == 200
    # the row says where the new key came from
    rotated_from = await conn.fetchval(
        "select rotated_from_id from api_keys where id = $1", key_uuid(new["id"])
    )
    assert rotated_from == key_uuid(old["apiKey"]["id"])


async def test_the_old_key_works_until_the_grace_period_ends(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    old = await issue(client, clock.staff(), carrier)
    rotated = await mutate(
        client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=HOUR
    )
    end = clock.at + timedelta(seconds=HOUR)

    # when / then: a second before the end
    clock.set(end - SECOND)
    assert (await viewer_status(client, old["secret"])).status == 200
    assert (await viewer_status(client, rotated["secret"])).status == 200

    # a second after the end
    clock.set(end + SECOND)
    reply = await viewer_status(client, old["secret"])
    assert reply.status == 401
    assert "revoked" in reply.body["errors"][0]["message"]
    assert (await viewer_status(client, rotated["secret"])).status == 200
    key = await post(client, API_KEY, {"id": old["apiKey"]["id"]}, clock.staff())
    assert key.body["data"]["apiKey"]["status"] == "REVOKED"


async def test_without_a_grace_period_the_old_key_fails_at_once(
    make_client: ClientFactory, conn: Connection
) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    old = await issue(client, clock.staff(), carrier)

    rotated = await mutate(
        client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=0
    )

    assert rotated["previousKey"]["status"] == "REVOKED"
    assert when(rotated["previousKey"]["revokedAt"]) == clock.at
    assert (await viewer_status(client, old["secret"])).status == 401
    assert (await viewer_status(client, rotated["secret"])).status == 200


async def test_the_grace_period_defaults_to_none(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)

    rotated = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"])

    assert rotated["previousKey"]["status"] == "REVOKED"
    assert (await viewer_status(client, old["secret"])).status == 401


@pytest.mark.parametrize("grace", [-1, 604801, 2**31 - 1], ids=["negative", "a week and a second", "huge"])
async def test_a_grace_period_outside_zero_to_a_week_is_refused(
    client: TestClient[Any, Any], conn: Connection, grace: int
) -> None:
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)

    result = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"], gracePeriodSeconds=grace)

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "gracePeriodSeconds"
    assert await conn.fetchval("select count(*) from api_keys where carrier_id = $1", carrier.id) == 1
    assert (await viewer_status(client, old["secret"])).status == 200


async def test_a_grace_period_of_a_week_is_accepted(make_client: ClientFactory, conn: Connection) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    old = await issue(client, clock.staff(), carrier)

    rotated = await mutate(
        client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=604800
    )

    assert when(rotated["previousKey"]["revokedAt"]) == clock.at + days(7)


async def test_a_key_is_rotated_once(client: TestClient[Any, Any], conn: Connection) -> None:
    # given
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)
    first = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"], gracePeriodSeconds=HOUR)
    assert first["__typename"] == "RotateApiKeyPayload"

    # when
    second = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"], gracePeriodSeconds=HOUR)

    # then
    assert second["__typename"] in {"ValidationError", "ConflictError"}
    assert second["field"] == "id"
    successors = await conn.fetchval(
        "select count(*) from api_keys where rotated_from_id = $1", key_uuid(old["apiKey"]["id"])
    )
    assert successors == 1
    assert len(await activity_rows(conn, "apiKey.rotate")) == 1
    # the replacement itself can be rotated in turn
    third = await mutate(client, ROTATE_API_KEY, staff(), id=first["apiKey"]["id"])
    assert third["apiKey"]["rotatedFrom"]["id"] == first["apiKey"]["id"]


async def test_a_revoked_key_cannot_be_rotated(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)
    await mutate(client, REVOKE_API_KEY, staff(), id=old["apiKey"]["id"], reason="Retired")

    result = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"])

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "id"


async def test_another_tenants_key_cannot_be_rotated(client: TestClient[Any, Any], conn: Connection) -> None:
    mine, theirs = await new_carrier(conn), await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, theirs.id)

    result = await mutate(client, ROTATE_API_KEY, admin(mine.code), id=key_gid(key_id))

    assert (result["__typename"], result["field"]) == ("NotFoundError", "id")
    assert await conn.fetchval("select count(*) from api_keys where rotated_from_id = $1", key_id) == 0


async def test_rotation_is_recorded_with_both_hints_and_no_secret(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    old = await issue(client, admin(carrier.code), carrier)

    rotated = await mutate(
        client, ROTATE_API_KEY, admin(carrier.code), id=old["apiKey"]["id"], gracePeriodSeconds=60
    )

    (row,) = await activity_rows(conn, "apiKey.rotate")
    assert row["actor_kind"] == "admin"
    assert row["target_type"] == "ApiKey"
    assert row["target_id"] == key_uuid(rotated["apiKey"]["id"])
    assert row["carrier_id"] == carrier.id
    assert row["before"]["hint"] == old["apiKey"]["hint"]
    assert row["after"]["hint"] == rotated["apiKey"]["hint"]
    assert when(row["after"]["previousKeyRevokedAt"]) == when(rotated["previousKey"]["revokedAt"])
    text = str(dict(row))
    assert old["secret"] not in text
    assert rotated["secret"] not in text


async def test_the_new_secret_is_not_shown_again(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)
    rotated = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"])

    reply = await post(client, API_KEY, {"id": rotated["apiKey"]["id"]}, staff())

    assert reply.body["data"]["apiKey"]["hint"] == rotated["apiKey"]["hint"]
    assert rotated["secret"] not in reply.text
    assert rotated["secret"][len("cak_test_") : -6] not in reply.text


async def test_revoking_a_key_in_its_grace_period_ends_it_at_once(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a rotated key with an hour of grace left
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    old = await issue(client, clock.staff(), carrier)
    await mutate(client, ROTATE_API_KEY, clock.staff(), id=old["apiKey"]["id"], gracePeriodSeconds=HOUR)
    clock.set(clock.at + timedelta(minutes=10))
    assert (await viewer_status(client, old["secret"])).status == 200

    # when
    revoked = await mutate(client, REVOKE_API_KEY, clock.staff(), id=old["apiKey"]["id"], reason="Leaked")

    # then
    assert revoked["apiKey"]["status"] == "REVOKED"
    assert when(revoked["apiKey"]["revokedAt"]) == clock.at
    assert (await viewer_status(client, old["secret"])).status == 401


async def test_a_key_cannot_rotate_its_way_to_scopes_it_does_not_hold(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: an integration that manages keys, and a key of its carrier with more scopes than it holds
    carrier = await new_carrier(conn)
    _manager_id, manager = await factories.api_key(conn, carrier.id, scopes=("keys:write",))
    wider_id, _ = await factories.api_key(
        conn, carrier.id, scopes=("activity:read", "carrier:read", "keys:read", "keys:write")
    )

    # when: it rotates that key, which would hand it a secret with those scopes
    result = await mutate(client, ROTATE_API_KEY, bearer(manager), id=key_gid(wider_id))

    # then: refused, as createApiKey and updateApiKey refuse to grant scopes the caller lacks
    assert result["__typename"] != "RotateApiKeyPayload", (
        f"a key holding only keys:write obtained a secret with scopes {result['apiKey']['scopes']}"
    )
    assert await conn.fetchval("select count(*) from api_keys where rotated_from_id = $1", wider_id) == 0


@pytest.mark.parametrize("allowed", [True, False])
async def test_a_rotation_may_give_the_new_key_no_expiry_where_the_policy_allows_it(
    make_client: ClientFactory, conn: Connection, allowed: bool
) -> None:
    client = await make_client(allow_non_expiring_keys=allowed)
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)

    as_staff = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"], neverExpires=True)
    if allowed:
        assert as_staff["__typename"] == "RotateApiKeyPayload"
        assert as_staff["apiKey"]["expiresAt"] is None
    else:
        assert (as_staff["__typename"], as_staff["field"]) == ("ForbiddenError", "neverExpires")

    other = await issue(client, staff(), carrier)
    as_admin = await mutate(
        client, ROTATE_API_KEY, admin(carrier.code), id=other["apiKey"]["id"], neverExpires=True
    )
    assert (as_admin["__typename"], as_admin["field"]) == ("ForbiddenError", "neverExpires")
