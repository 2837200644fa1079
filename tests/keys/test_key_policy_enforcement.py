"""The organization's (and a carrier's) key policy on every create, update and rotation, by people and by
keys: each refusal a ForbiddenError naming the rule and the level; keys issued before a tightening keep
working and list how they fall short (ApiKey.policyGaps)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.keys import (
    CREATE_API_KEY,
    ROTATE_API_KEY,
    UPDATE_API_KEY,
    Carrier,
    key_gid,
    key_input,
    mutate,
    post,
    staff,
)

FORBIDDEN = "... on ForbiddenError { rule level }"
CREATE = CREATE_API_KEY.replace(
    "... on UserError { message code field }", "... on UserError { message code field } " + FORBIDDEN
)
UPDATE = UPDATE_API_KEY.replace(
    "... on UserError { message code field }", "... on UserError { message code field } " + FORBIDDEN
)
ROTATE = ROTATE_API_KEY.replace(
    "... on UserError { message code field }", "... on UserError { message code field } " + FORBIDDEN
)
GAPS = "query($id: ID!) { apiKey(id: $id) { status policyGaps { rule level message remedy } } }"
FROM_INSIDE = {"X-Forwarded-For": "10.9.9.9"}


async def governed(conn: Connection, **policy: Any) -> tuple[Carrier, uuid.UUID]:
    """A carrier of an organization whose key policy is `policy` (column names)."""
    organization = await factories.organization(conn)
    code = factories.unique_code("E")
    carrier = Carrier(await factories.carrier(conn, code, organization_id=organization), code)
    columns = ", ".join(policy)
    placeholders = ", ".join(f"${i + 2}" for i in range(len(policy)))
    await conn.execute(
        f"insert into organization_key_policies (organization_id, {columns}, updated_by_kind) "  # noqa: S608 - the test's own column names
        f"values ($1, {placeholders}, 'system')",
        organization,
        *policy.values(),
    )
    return carrier, organization


def admin_of(organization: uuid.UUID) -> dict[str, str]:
    return factories.bearer(factories.admin_token(organizations=[organization]))


def refused(result: dict[str, Any], rule: str, level: str, field: str) -> None:
    assert result["__typename"] == "ForbiddenError", result
    assert (result["rule"], result["level"], result["field"]) == (rule, level, field), result


@pytest.fixture
async def app(make_client: ClientFactory) -> Any:
    return await make_client(trusted_proxies="127.0.0.1/32")


async def test_create_follows_the_organizations_policy_by_people_and_keys(app: Any, conn: Connection) -> None:
    carrier, organization = await governed(
        conn,
        max_lifetime_days=30,
        allowlist_required=True,
        allowed_scopes=["carrier:read", "keys:read", "keys:write"],
    )
    # a key issued before the policy, holding a scope the policy now leaves out
    _, secret = await factories.api_key(
        conn,
        carrier.id,
        scopes=("carrier:read", "keys:read", "keys:write", "activity:read"),
        allowlist=("10.0.0.0/8",),
        expires_at=datetime.now(UTC) + timedelta(days=90),
    )
    callers = {"person": admin_of(organization), "key": {**factories.bearer(secret), **FROM_INSIDE}}
    later = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    for who, headers in callers.items():
        no_allowlist = await mutate(app, CREATE, headers, **key_input(carrier))
        if who == "person":  # a key with an allowlist refuses an unrestricted key first (ALLOWLIST_WIDER)
            refused(no_allowlist, "POLICY_ALLOWLIST_REQUIRED", "ORGANIZATION", "ipAllowlist")
        scope = await mutate(
            app, CREATE, headers, **key_input(carrier, scopes=["ACTIVITY_READ"], ipAllowlist=["10.1.0.0/16"])
        )
        refused(scope, "POLICY_SCOPE_NOT_ALLOWED", "ORGANIZATION", "scopes")
        too_long = await mutate(
            app, CREATE, headers, **key_input(carrier, ipAllowlist=["10.1.0.0/16"], expiresAt=later)
        )
        refused(too_long, "POLICY_MAX_LIFETIME", "ORGANIZATION", "expiresAt")
        issued = await mutate(app, CREATE, headers, **key_input(carrier, ipAllowlist=["10.1.0.0/16"]))
        assert issued["__typename"] == "CreateApiKeyPayload", (who, issued)
        expires = datetime.fromisoformat(issued["apiKey"]["expiresAt"])
        # the default lifetime follows the organization's maximum down
        assert expires <= datetime.now(UTC) + timedelta(days=30, minutes=1)


async def test_staff_are_bound_too_and_cannot_issue_keys_that_never_expire_where_forbidden(
    make_client: ClientFactory, conn: Connection
) -> None:
    app = await make_client(allow_non_expiring_keys=True)
    carrier, _ = await governed(conn, non_expiring_allowed=False)
    result = await mutate(app, CREATE, staff(), **key_input(carrier, neverExpires=True))
    refused(result, "NON_EXPIRING_NOT_ALLOWED", "ORGANIZATION", "neverExpires")
    open_carrier = Carrier(await factories.carrier(conn, factories.unique_code("E")), "")
    allowed = await mutate(app, CREATE, staff(), **key_input(open_carrier, neverExpires=True))
    assert allowed["__typename"] == "CreateApiKeyPayload", allowed


async def test_update_judges_what_it_changes(app: Any, conn: Connection) -> None:
    carrier, organization = await governed(conn, allowlist_required=True, allowed_scopes=["carrier:read"])
    # a key issued before the policy: it holds a scope now left out, and has no allowlist
    key_id, _ = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "activity:read"))
    headers = admin_of(organization)

    scopes = await mutate(app, UPDATE, headers, id=key_gid(key_id), scopes=["CARRIER_READ", "ACTIVITY_READ"])
    refused(scopes, "POLICY_SCOPE_NOT_ALLOWED", "ORGANIZATION", "scopes")
    anywhere = await mutate(app, UPDATE, headers, id=key_gid(key_id), ipAllowlist=[])
    refused(anywhere, "POLICY_ALLOWLIST_REQUIRED", "ORGANIZATION", "ipAllowlist")
    # what it does not change is left as it was: the description can still change
    renamed = await mutate(app, UPDATE, headers, id=key_gid(key_id), description="ERP (old)")
    assert renamed["__typename"] == "ApiKeyPayload", renamed
    # and the key can be brought within the policy
    fixed = await mutate(
        app, UPDATE, headers, id=key_gid(key_id), scopes=["CARRIER_READ"], ipAllowlist=["192.0.2.0/24"]
    )
    assert fixed["__typename"] == "ApiKeyPayload", fixed


async def test_rotation_follows_the_policy_for_the_new_key(app: Any, conn: Connection) -> None:
    carrier, organization = await governed(
        conn, max_grace_period_seconds=3600, allowed_scopes=["carrier:read"]
    )
    headers = admin_of(organization)
    compliant, _ = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))
    held_over, _ = await factories.api_key(conn, carrier.id, scopes=("carrier:read", "keys:read"))

    long_grace = await mutate(app, ROTATE, headers, id=key_gid(compliant), gracePeriodSeconds=86400)
    refused(long_grace, "POLICY_MAX_GRACE_PERIOD", "ORGANIZATION", "gracePeriodSeconds")
    old_scopes = await mutate(app, ROTATE, headers, id=key_gid(held_over))
    refused(old_scopes, "POLICY_SCOPE_NOT_ALLOWED", "ORGANIZATION", "id")
    assert "update its scopes first" in old_scopes["message"]
    rotated = await mutate(app, ROTATE, headers, id=key_gid(compliant), gracePeriodSeconds=3600)
    assert rotated["__typename"] == "RotateApiKeyPayload", rotated


async def test_a_carriers_own_tightening_is_named_as_the_carriers(app: Any, conn: Connection) -> None:
    carrier, _ = await governed(conn, max_lifetime_days=60)
    await conn.execute(
        "insert into carrier_key_policies (carrier_id, max_lifetime_days, updated_by_kind) "
        "values ($1, 7, 'staff')",
        carrier.id,
    )
    result = await mutate(
        app,
        CREATE,
        staff(),
        **key_input(carrier, expiresAt=(datetime.now(UTC) + timedelta(days=10)).isoformat()),
    )
    refused(result, "POLICY_MAX_LIFETIME", "CARRIER", "expiresAt")


async def test_keys_issued_before_a_tightening_keep_working_and_say_what_to_do(
    app: Any, conn: Connection
) -> None:
    # given keys issued under the platform's policy alone
    organization = await factories.organization(conn)
    carrier = await factories.carrier(conn, factories.unique_code("G"), organization_id=organization)
    old, secret = await factories.api_key(
        conn,
        carrier,
        scopes=("carrier:read", "activity:read"),
        expires_at=datetime.now(UTC) + timedelta(days=80),
    )
    fine, _ = await factories.api_key(
        conn, carrier, allowlist=("10.0.0.0/8",), expires_at=datetime.now(UTC) + timedelta(days=5)
    )

    # when the organization tightens its policy
    body = await post(
        app,
        "mutation($input: SetOrganizationKeyPolicyInput!) "
        "{ setOrganizationKeyPolicy(input: $input) { __typename } }",
        {
            "input": {
                "organizationId": to_global_id("Organization", organization),
                "maxLifetimeDays": 30,
                "allowlistRequired": True,
                "allowedScopes": ["CARRIER_READ"],
            }
        },
        admin_of(organization),
    )
    assert body.body["data"]["setOrganizationKeyPolicy"]["__typename"] == "OrganizationKeyPolicyPayload"

    # then the old key still works, and lists each way it falls short, with what to do
    assert (await post(app, "{ viewer { kind } }", headers=factories.bearer(secret))).status == 200
    read = await post(app, GAPS, {"id": key_gid(old)}, staff())
    gaps = read.body["data"]["apiKey"]["policyGaps"]
    assert {(g["rule"], g["level"]) for g in gaps} == {
        ("POLICY_SCOPE_NOT_ALLOWED", "ORGANIZATION"),
        ("POLICY_ALLOWLIST_REQUIRED", "ORGANIZATION"),
        ("POLICY_MAX_LIFETIME", "ORGANIZATION"),
    }
    assert all(g["message"] and g["remedy"] for g in gaps)
    assert (await post(app, GAPS, {"id": key_gid(fine)}, staff())).body["data"]["apiKey"]["policyGaps"] == []
