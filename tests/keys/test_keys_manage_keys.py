"""Keys that manage keys hand out only less than they hold, table-driven: every operation (create,
update, rotate, revoke) by a key against keys weaker and stronger than itself, on each axis (scopes,
allowlist, expiry); a key in its rotation's grace period manages nothing; people keep the policy's rules.

The calling key ("narrow") holds CARRIER_READ and KEYS_WRITE, works from 10.0.0.0/8 only (the test
client speaks through a trusted proxy as 10.9.9.9) and expires in 30 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from db.pool import Connection
from tests.conftest import ClientFactory
from tests.keys import (
    CREATE_API_KEY,
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    UPDATE_API_KEY,
    Carrier,
    Clock,
    admin,
    days,
    insert_key,
    key_gid,
    new_carrier,
    post,
)

NOW = datetime.fromisoformat("2026-06-01T12:00:00+00:00")
CALLER_EXPIRES = NOW + days(30)
FROM_INSIDE = {"X-Forwarded-For": "10.9.9.9"}

# The keys a case acts on, by name: (scopes, allowlist, expires in days).
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...], float | None]] = {
    "weaker": (("carrier:read",), ("10.1.0.0/16",), 10),
    "more scopes": (("carrier:read", "activity:read"), ("10.1.0.0/16",), 10),
    "any address": (("carrier:read",), (), 10),
    "other addresses": (("carrier:read",), ("192.168.0.0/16",), 10),
    "later expiry": (("carrier:read",), ("10.1.0.0/16",), 200),
    "never expires": (("carrier:read",), ("10.1.0.0/16",), None),
}


@dataclass(frozen=True)
class Case:
    caller: str  # "narrow", "rotating" (narrow, in its grace period), "admin"
    operation: str  # create, update, rotate, revoke
    target: str | None = None  # a TARGETS name, for update, rotate and revoke
    changes: dict[str, Any] = field(default_factory=dict)  # input fields
    refused_by: str | None = None  # the ForbiddenError's rule, or None: it goes through

    def __str__(self) -> str:
        changes = ",".join(f"{k}={v}" for k, v in self.changes.items())
        return f"{self.caller}-{self.operation}-{self.target or ''}-{changes}"


def inside(days_from_now: float) -> str:
    return (NOW + days(days_from_now)).isoformat()


CASES = [
    # create
    Case("narrow", "create", changes={"scopes": ["CARRIER_READ"], "ipAllowlist": ["10.2.0.0/16"]}),
    Case("narrow", "create", changes={"scopes": ["KEYS_READ"], "ipAllowlist": ["10.2.0.0/16"]}),  # implied
    Case("narrow", "create", changes={"expiresAt": inside(20), "ipAllowlist": ["10.0.0.0/8"]}),
    Case(
        "narrow",
        "create",
        changes={"scopes": ["ACTIVITY_READ"], "ipAllowlist": ["10.2.0.0/16"]},
        refused_by="SCOPE_NOT_HELD",
    ),
    Case("narrow", "create", changes={"ipAllowlist": []}, refused_by="ALLOWLIST_WIDER"),
    Case("narrow", "create", changes={"ipAllowlist": ["192.168.0.0/16"]}, refused_by="ALLOWLIST_WIDER"),
    Case("narrow", "create", changes={"ipAllowlist": ["10.0.0.0/7"]}, refused_by="ALLOWLIST_WIDER"),
    Case(
        "narrow",
        "create",
        changes={"ipAllowlist": ["10.1.0.0/16", "2001:db8::/32"]},
        refused_by="ALLOWLIST_WIDER",
    ),
    Case(
        "narrow",
        "create",
        changes={"ipAllowlist": ["10.1.0.0/16"], "expiresAt": inside(31)},
        refused_by="EXPIRY_LATER",
    ),
    Case(
        "narrow",
        "create",
        changes={"ipAllowlist": ["10.1.0.0/16"], "expiresOn": "2026-07-02"},
        refused_by="EXPIRY_LATER",
    ),
    Case(
        "narrow",
        "create",
        changes={"ipAllowlist": ["10.1.0.0/16"], "neverExpires": True},
        refused_by="NON_EXPIRING_NOT_ALLOWED",
    ),
    Case("rotating", "create", changes={"ipAllowlist": ["10.1.0.0/16"]}, refused_by="CALLER_IN_GRACE_PERIOD"),
    Case(
        "admin",
        "create",
        changes={"scopes": ["ACTIVITY_READ", "KEYS_WRITE"], "ipAllowlist": [], "expiresAt": inside(300)},
    ),
    # update
    Case("narrow", "update", "weaker", {"description": "Renamed"}),
    Case("narrow", "update", "weaker", {"ipAllowlist": ["10.1.2.0/24"], "expiresAt": inside(25)}),
    Case("narrow", "update", "weaker", {"ipAllowlist": []}, refused_by="ALLOWLIST_WIDER"),
    Case("narrow", "update", "weaker", {"scopes": ["ACTIVITY_READ"]}, refused_by="SCOPE_NOT_HELD"),
    Case("narrow", "update", "weaker", {"expiresAt": inside(60)}, refused_by="EXPIRY_LATER"),
    Case("narrow", "update", "more scopes", {"description": "Renamed"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "update", "any address", {"description": "Renamed"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "update", "other addresses", {"description": "Renamed"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "update", "later expiry", {"description": "Renamed"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "update", "never expires", {"description": "Renamed"}, refused_by="TARGET_STRONGER"),
    Case("rotating", "update", "weaker", {"description": "Renamed"}, refused_by="CALLER_IN_GRACE_PERIOD"),
    Case("admin", "update", "more scopes", {"ipAllowlist": [], "expiresAt": inside(300)}),
    # rotate
    Case("narrow", "rotate", "weaker"),
    Case("narrow", "rotate", "weaker", {"expiresAt": inside(31)}, refused_by="EXPIRY_LATER"),
    Case("narrow", "rotate", "more scopes", refused_by="TARGET_STRONGER"),
    Case("narrow", "rotate", "any address", refused_by="TARGET_STRONGER"),
    Case("narrow", "rotate", "later expiry", refused_by="TARGET_STRONGER"),
    Case("rotating", "rotate", "weaker", refused_by="CALLER_IN_GRACE_PERIOD"),
    Case("admin", "rotate", "never expires"),
    # revoke
    Case("narrow", "revoke", "weaker", {"reason": "unused"}),
    Case("narrow", "revoke", "more scopes", {"reason": "unused"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "revoke", "any address", {"reason": "unused"}, refused_by="TARGET_STRONGER"),
    Case("narrow", "revoke", "never expires", {"reason": "unused"}, refused_by="TARGET_STRONGER"),
    Case("rotating", "revoke", "weaker", {"reason": "unused"}, refused_by="CALLER_IN_GRACE_PERIOD"),
    Case("admin", "revoke", "more scopes", {"reason": "unused"}),
]

DOCUMENTS = {
    "create": CREATE_API_KEY,
    "update": UPDATE_API_KEY,
    "rotate": ROTATE_API_KEY,
    "revoke": REVOKE_API_KEY,
}
RULE = "... on ForbiddenError { rule }"


@dataclass(frozen=True)
class Callers:
    carrier: Carrier
    headers: dict[str, dict[str, str]]


async def callers(conn: Connection) -> Callers:
    carrier = await new_carrier(conn)
    created = NOW - days(1)
    _, narrow = await insert_key(
        conn,
        carrier.id,
        scopes=("carrier:read", "keys:write"),
        allowlist=("10.0.0.0/8",),
        created_at=created,
        expires_at=CALLER_EXPIRES,
    )
    _, rotating = await insert_key(
        conn,
        carrier.id,
        scopes=("carrier:read", "keys:write"),
        allowlist=("10.0.0.0/8",),
        created_at=created,
        expires_at=CALLER_EXPIRES,
        revoked_at=NOW + days(1),  # rotated: working until its grace period ends tomorrow
    )
    return Callers(
        carrier,
        {
            "narrow": {"Authorization": f"Bearer {narrow}", **FROM_INSIDE},
            "rotating": {"Authorization": f"Bearer {rotating}", **FROM_INSIDE},
            "admin": admin(carrier.code, at=NOW),
        },
    )


async def target(conn: Connection, carrier: Carrier, name: str) -> uuid.UUID:
    scopes, allowlist, expires = TARGETS[name]
    key_id, _ = await insert_key(
        conn,
        carrier.id,
        scopes=scopes,
        allowlist=allowlist,
        created_at=NOW - days(1),
        expires_at=NOW + days(expires) if expires is not None else None,
        description=f"Target {name}",
    )
    return key_id


def input_for(case: Case, carrier: Carrier, target_id: uuid.UUID | None) -> dict[str, Any]:
    if case.operation == "create":
        base = {"carrierId": carrier.gid, "description": "Made by a key", "scopes": ["CARRIER_READ"]}
        return {**base, **case.changes}
    return {"id": key_gid(target_id or uuid.uuid4()), **case.changes}


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_what_a_key_may_do_to_keys(make_client: ClientFactory, conn: Connection, case: Case) -> None:
    # given
    client = await make_client(trusted_proxies="127.0.0.1/32", now=Clock(NOW))
    world = await callers(conn)
    target_id = await target(conn, world.carrier, case.target) if case.target else None
    before = await conn.fetch("select id, version, revoked_at from api_keys order by id")
    document = DOCUMENTS[case.operation].replace("... on UserError {", f"{RULE} ... on UserError {{", 1)

    # when
    reply = await post(
        client, document, {"input": input_for(case, world.carrier, target_id)}, world.headers[case.caller]
    )

    # then
    assert reply.status == 200, reply.body
    assert "errors" not in reply.body, reply.body
    (result,) = reply.body["data"].values()
    if case.refused_by is None:
        assert not result["__typename"].endswith("Error"), result
        made = result.get("apiKey")
        if made is not None and case.caller != "admin" and made.get("expiresAt"):
            assert datetime.fromisoformat(made["expiresAt"]) <= CALLER_EXPIRES
    else:
        assert result["__typename"] == "ForbiddenError", result
        assert result["rule"] == case.refused_by, result
        assert result["code"] == "FORBIDDEN"
        # and nothing changed
        assert await conn.fetch("select id, version, revoked_at from api_keys order by id") == before


async def test_a_key_without_its_own_expiry_cap_is_given_its_own_expiry_by_default(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(trusted_proxies="127.0.0.1/32", now=Clock(NOW))
    world = await callers(conn)
    fields = {"carrierId": world.carrier.gid, "description": "Default expiry", "scopes": ["CARRIER_READ"]}
    fields["ipAllowlist"] = ["10.3.0.0/16"]

    reply = await post(client, CREATE_API_KEY, {"input": fields}, world.headers["narrow"])

    made = reply.body["data"]["createApiKey"]["apiKey"]
    assert datetime.fromisoformat(made["expiresAt"]) == CALLER_EXPIRES  # not the policy's 90 days


async def test_the_old_key_cannot_rotate_its_replacement(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a key rotated with a grace period by an administrator
    client = await make_client(trusted_proxies="127.0.0.1/32", now=Clock(NOW))
    carrier = await new_carrier(conn)
    old_id, old_secret = await insert_key(
        conn,
        carrier.id,
        scopes=("carrier:read", "keys:write"),
        created_at=NOW - days(1),
        expires_at=NOW + days(30),
    )
    rotated = await post(
        client,
        ROTATE_API_KEY,
        {"input": {"id": key_gid(old_id), "gracePeriodSeconds": 3600}},
        admin(carrier.code, at=NOW),
    )
    replacement = rotated.body["data"]["rotateApiKey"]["apiKey"]["id"]

    # when: the old key, still working in its grace period, tries to take over its replacement
    document = ROTATE_API_KEY.replace("... on UserError {", f"{RULE} ... on UserError {{", 1)
    reply = await post(
        client, document, {"input": {"id": replacement}}, {"Authorization": f"Bearer {old_secret}"}
    )

    # then
    result = reply.body["data"]["rotateApiKey"]
    assert (result["__typename"], result["rule"]) == ("ForbiddenError", "CALLER_IN_GRACE_PERIOD")


@pytest.mark.parametrize(("grace", "outcome"), [(3600, "LimitReachedError"), (0, "RotateApiKeyPayload")])
async def test_keys_in_a_grace_period_count_toward_the_limit(
    make_client: ClientFactory, conn: Connection, grace: int, outcome: str
) -> None:
    # given: a carrier at its limit of two active keys
    client = await make_client(max_active_keys_per_carrier=2, now=Clock(NOW))
    carrier = await new_carrier(conn)
    first, _ = await insert_key(conn, carrier.id, created_at=NOW - days(1), expires_at=NOW + days(30))
    await insert_key(conn, carrier.id, created_at=NOW - days(1), expires_at=NOW + days(30))

    # when: rotating with a grace period would make three active keys; without one, still two
    reply = await post(
        client,
        ROTATE_API_KEY,
        {"input": {"id": key_gid(first), "gracePeriodSeconds": grace}},
        admin(carrier.code, at=NOW),
    )

    # then
    assert reply.body["data"]["rotateApiKey"]["__typename"] == outcome
    active = await conn.fetchval(
        "select count(*) from api_keys where carrier_id = $1 and (revoked_at is null or revoked_at > $2)",
        carrier.id,
        NOW,
    )
    assert active == 2
