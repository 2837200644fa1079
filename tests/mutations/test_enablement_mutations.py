"""setCarrierEnablement, setOrganizationEnablement, and the inheritance table read back through the API."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from access.tokens import mint_development_token
from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import GraphQL
from tests.factories import bearer, staff_token

ENABLEMENT_RESULT = """
    __typename
    ... on EnablementPayload {
      enablement { feature { key } state effective source updatedBy { kind id name } }
      effectiveChanges { carrier { code } feature { key } before after source }
    }
    ... on UserError { message code field }
"""

SET_CARRIER_ENABLEMENT = f"""
mutation SetCarrierEnablement($input: SetCarrierEnablementInput!) {{
  setCarrierEnablement(input: $input) {{ {ENABLEMENT_RESULT} }}
}}
"""

SET_ORGANIZATION_ENABLEMENT = f"""
mutation SetOrganizationEnablement($input: SetOrganizationEnablementInput!) {{
  setOrganizationEnablement(input: $input) {{ {ENABLEMENT_RESULT} }}
}}
"""

DETACH = """
mutation Detach($input: DetachCarrierInput!) {
  detachCarrierFromOrganization(input: $input) {
    __typename
    ... on CarrierMembershipPayload {
      effectiveChanges { carrier { code } feature { key } before after source }
    }
  }
}
"""

CARRIER_ENABLEMENTS = """
query CarrierEnablements($code: String!) {
  carrier(code: $code) { enablements { feature { key } state effective source updatedBy { kind id name } } }
}
"""

ORGANIZATION_ENABLEMENTS = """
query OrganizationEnablements($id: ID!) {
  organization(id: $id) { enablements { feature { key } state effective source } }
}
"""

STAFF_ONE = {"kind": "STAFF", "id": "staff-1", "name": "Sam Staff"}
STAFF_TWO = {"kind": "STAFF", "id": "staff-2", "name": "Pat Staff"}
MALFORMED_KEYS = [
    "Test.Upper",
    "nodots",
    "test..double",
    ".test.lead",
    "test.trail.",
    "test.has space",
    "x" * 95 + ".abcde",
]
BAD_REASONS = ["", "   ", "r" * 501, "because\x07"]


def staff(request_id: str | None = None) -> dict[str, str]:
    headers = bearer(staff_token())
    if request_id:
        headers["X-Request-Id"] = request_id
    return headers


def other_staff() -> dict[str, str]:
    return bearer(mint_development_token(factories.TOKENS, subject="staff-2", name="Pat Staff", staff=True))


def carrier_gid(carrier_id: uuid.UUID) -> str:
    return to_global_id("Carrier", carrier_id)


def org_gid(organization_id: uuid.UUID) -> str:
    return to_global_id("Organization", organization_id)


async def activity_rows(conn: Connection, action: str | None = None) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """select *, host(client_address) as address from activity_log
           where $1::text is null or action = $1 order by occurred_at, id""",
        action,
    )
    return rows


async def carrier_setting(
    conn: Connection, carrier_id: uuid.UUID, feature_id: uuid.UUID
) -> dict[str, Any] | None:
    record = await conn.fetchrow(
        "select * from carrier_enablements where carrier_id = $1 and feature_id = $2", carrier_id, feature_id
    )
    return dict(record) if record else None


async def organization_setting(
    conn: Connection, organization_id: uuid.UUID, feature_id: uuid.UUID
) -> dict[str, Any] | None:
    record = await conn.fetchrow(
        "select * from organization_enablements where organization_id = $1 and feature_id = $2",
        organization_id,
        feature_id,
    )
    return dict(record) if record else None


def change(code: str, key: str, before: bool, after: bool, source: str) -> dict[str, Any]:
    return {
        "carrier": {"code": code},
        "feature": {"key": key},
        "before": before,
        "after": after,
        "source": source,
    }


def by_code(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(changes, key=lambda c: str(c["carrier"]["code"]))


async def set_carrier(
    graphql: GraphQL,
    carrier_id: uuid.UUID,
    key: str,
    state: str,
    *,
    reason: str = "test",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    body = await graphql(
        SET_CARRIER_ENABLEMENT,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "featureKey": key,
                "state": state,
                "reason": reason,
            }
        },
        headers=headers or staff(),
    )
    result: dict[str, Any] = body["data"]["setCarrierEnablement"]
    return result


async def set_organization(
    graphql: GraphQL,
    organization_id: uuid.UUID,
    key: str,
    state: str,
    *,
    reason: str = "test",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    body = await graphql(
        SET_ORGANIZATION_ENABLEMENT,
        {
            "input": {
                "organizationId": org_gid(organization_id),
                "featureKey": key,
                "state": state,
                "reason": reason,
            }
        },
        headers=headers or staff(),
    )
    result: dict[str, Any] = body["data"]["setOrganizationEnablement"]
    return result


async def read_back(graphql: GraphQL, code: str, key: str) -> dict[str, Any]:
    """The carrier's enablement of one feature, as `carrier(code:) { enablements }` shows it."""
    body = await graphql(CARRIER_ENABLEMENTS, {"code": code}, headers=staff())
    (enablement,) = [e for e in body["data"]["carrier"]["enablements"] if e["feature"]["key"] == key]
    return {k: enablement[k] for k in ("state", "effective", "source", "updatedBy")}


# setCarrierEnablement


async def test_set_carrier_enablement_switches_a_feature_and_records_why(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    organization_id = await factories.organization(conn)
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=organization_id)
    feature_id = await factories.feature(conn, "test.carrier_switch", default=False)
    # the feature and the carrier as the activity log names them
    naming = {
        "feature": "test.carrier_switch",
        "featureName": "Carrier_Switch",
        "ownerName": f"{code} ({code} Railroad)",
    }

    # when
    body = await graphql(
        SET_CARRIER_ENABLEMENT,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "featureKey": " test.carrier_switch ",
                "state": "ENABLED",
                "reason": "  Pilot for Q3, ticket OPS-12  ",
            }
        },
        headers=staff("req-set-carrier"),
    )

    # then
    assert body["data"]["setCarrierEnablement"] == {
        "__typename": "EnablementPayload",
        "enablement": {
            "feature": {"key": "test.carrier_switch"},
            "state": "ENABLED",
            "effective": True,
            "source": "CARRIER",
            "updatedBy": STAFF_ONE,
        },
        "effectiveChanges": [change(code, "test.carrier_switch", False, True, "CARRIER")],
    }
    setting = await carrier_setting(conn, carrier_id, feature_id)
    assert setting is not None
    assert (
        setting["enabled"],
        setting["updated_by_kind"],
        setting["updated_by_id"],
        setting["updated_by_name"],
    ) == (
        True,
        "staff",
        "staff-1",
        "Sam Staff",
    )
    (event,) = await activity_rows(conn)
    assert event["action"] == "enablement.setForCarrier"
    assert (event["actor_kind"], event["actor_id"], event["actor_is_staff"], event["outcome"]) == (
        "staff",
        "staff-1",
        True,
        "succeeded",
    )
    assert (event["request_id"], event["address"]) == ("req-set-carrier", "127.0.0.1")
    assert (event["target_type"], event["target_id"], event["carrier_id"], event["organization_id"]) == (
        "Carrier",
        carrier_id,
        carrier_id,
        organization_id,
    )
    assert event["reason"] == "Pilot for Q3, ticket OPS-12"
    assert event["before"] == {**naming, "state": "INHERIT"}
    assert event["after"] == {
        **naming,
        "state": "ENABLED",
        "effectiveChanges": [
            {
                "carrierId": to_global_id("Carrier", carrier_id),
                "featureId": to_global_id("Feature", feature_id),
                "before": False,
                "after": True,
            }
        ],
    }


async def test_set_carrier_enablement_to_inherit_removes_the_override(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: the organization switches it on, the carrier overrides it off
    organization_id = await factories.organization(conn)
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=organization_id)
    feature_id = await factories.feature(conn, "test.carrier_inherit")
    await factories.set_organization_enablement(conn, organization_id, feature_id, True)
    await factories.set_carrier_enablement(conn, carrier_id, feature_id, False)

    # when
    result = await set_carrier(graphql, carrier_id, "test.carrier_inherit", "INHERIT")

    # then
    assert result["enablement"] == {
        "feature": {"key": "test.carrier_inherit"},
        "state": "INHERIT",
        "effective": True,
        "source": "ORGANIZATION",
        "updatedBy": None,
    }
    assert result["effectiveChanges"] == [change(code, "test.carrier_inherit", False, True, "ORGANIZATION")]
    assert await carrier_setting(conn, carrier_id, feature_id) is None
    (event,) = await activity_rows(conn)
    assert (event["before"]["state"], event["after"]["state"]) == ("DISABLED", "INHERIT")


async def test_set_carrier_enablement_that_changes_no_effective_value_lists_no_change(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: the organization already switches it on
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    feature_id = await factories.feature(conn, "test.carrier_pin")
    await factories.set_organization_enablement(conn, organization_id, feature_id, True)

    # when: the carrier pins it on itself
    result = await set_carrier(graphql, carrier_id, "test.carrier_pin", "ENABLED")

    # then: the setting is stored and recorded, but nothing effective changed
    assert result["enablement"]["source"] == "CARRIER"
    assert result["effectiveChanges"] == []
    assert (await carrier_setting(conn, carrier_id, feature_id) or {})["enabled"] is True
    (event,) = await activity_rows(conn)
    assert event["after"]["effectiveChanges"] == []


@pytest.mark.parametrize(("existing", "state"), [(None, "INHERIT"), (True, "ENABLED"), (False, "DISABLED")])
async def test_set_carrier_enablement_to_the_state_it_has_is_a_no_op(
    graphql: GraphQL, conn: Connection, existing: bool | None, state: str
) -> None:
    # given
    carrier_id = await factories.carrier(conn)
    feature_id = await factories.feature(conn, "test.carrier_noop")
    if existing is not None:
        await factories.set_carrier_enablement(conn, carrier_id, feature_id, existing)
    before = await carrier_setting(conn, carrier_id, feature_id)

    # when
    result = await set_carrier(graphql, carrier_id, "test.carrier_noop", state)

    # then
    assert result["__typename"] == "EnablementPayload"
    assert result["enablement"]["state"] == state
    assert result["effectiveChanges"] == []
    assert await carrier_setting(conn, carrier_id, feature_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("key", ["test.not_in_catalogue", *MALFORMED_KEYS])
async def test_set_carrier_enablement_of_an_unknown_or_malformed_feature_is_refused(
    graphql: GraphQL, conn: Connection, key: str
) -> None:
    carrier_id = await factories.carrier(conn)
    await factories.feature(conn, "test.existing")
    result = await set_carrier(graphql, carrier_id, key, "ENABLED")
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "featureKey",
    )
    assert (
        await conn.fetchval("select count(*) from carrier_enablements where carrier_id = $1", carrier_id) == 0
    )
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("reason", BAD_REASONS)
async def test_set_carrier_enablement_needs_a_usable_reason(
    graphql: GraphQL, conn: Connection, reason: str
) -> None:
    carrier_id = await factories.carrier(conn)
    feature_id = await factories.feature(conn, "test.needs_reason")
    result = await set_carrier(graphql, carrier_id, "test.needs_reason", "ENABLED", reason=reason)
    assert (result["__typename"], result["field"]) == ("ValidationError", "reason")
    assert await carrier_setting(conn, carrier_id, feature_id) is None
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "wrong type", "missing"])
async def test_set_carrier_enablement_of_an_unknown_carrier_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    organization_id = await factories.organization(conn)
    await factories.feature(conn, "test.nobody")
    ids = {"garbage": "xyz", "wrong type": org_gid(organization_id), "missing": carrier_gid(uuid.uuid4())}
    body = await graphql(
        SET_CARRIER_ENABLEMENT,
        {"input": {"carrierId": ids[kind], "featureKey": "test.nobody", "state": "ENABLED", "reason": "x"}},
        headers=staff(),
    )
    result = body["data"]["setCarrierEnablement"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "NotFoundError",
        "NOT_FOUND",
        "carrierId",
    )
    assert await conn.fetchval("select count(*) from carrier_enablements") == 0
    assert await conn.fetchval("select count(*) from organization_enablements") == 0
    assert await activity_rows(conn) == []


# setOrganizationEnablement


async def test_set_organization_enablement_reaches_only_the_carriers_that_inherit(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: three carriers: one inherits, one overrides off, one overrides on; and a carrier elsewhere
    organization_id = await factories.organization(conn, "Switching Group")
    inheriting = factories.unique_code("A")
    overriding_off = factories.unique_code("B")
    overriding_on = factories.unique_code("C")
    inheriting_id = await factories.carrier(conn, inheriting, organization_id=organization_id)
    off_id = await factories.carrier(conn, overriding_off, organization_id=organization_id)
    on_id = await factories.carrier(conn, overriding_on, organization_id=organization_id)
    await factories.carrier(conn)
    feature_id = await factories.feature(conn, "test.org_switch", default=False)
    await factories.set_carrier_enablement(conn, off_id, feature_id, False)
    await factories.set_carrier_enablement(conn, on_id, feature_id, True)

    # when
    result = await set_organization(
        graphql,
        organization_id,
        "test.org_switch",
        "ENABLED",
        reason="Rollout wave 1",
        headers=staff("req-org"),
    )

    # then
    assert result == {
        "__typename": "EnablementPayload",
        "enablement": {
            "feature": {"key": "test.org_switch"},
            "state": "ENABLED",
            "effective": True,
            "source": "ORGANIZATION",
            "updatedBy": STAFF_ONE,
        },
        "effectiveChanges": [change(inheriting, "test.org_switch", False, True, "ORGANIZATION")],
    }
    setting = await organization_setting(conn, organization_id, feature_id)
    assert setting is not None
    assert (setting["enabled"], setting["updated_by_id"]) == (True, "staff-1")
    (event,) = await activity_rows(conn)
    assert event["action"] == "enablement.setForOrganization"
    assert (event["target_type"], event["target_id"], event["organization_id"], event["carrier_id"]) == (
        "Organization",
        organization_id,
        organization_id,
        None,
    )
    assert (event["reason"], event["request_id"], event["actor_id"]) == (
        "Rollout wave 1",
        "req-org",
        "staff-1",
    )
    naming = {"feature": "test.org_switch", "featureName": "Org_Switch", "ownerName": "Switching Group"}
    assert event["before"] == {**naming, "state": "INHERIT"}
    assert event["after"] == {
        **naming,
        "state": "ENABLED",
        "effectiveChanges": [
            {
                "carrierId": to_global_id("Carrier", inheriting_id),
                "featureId": to_global_id("Feature", feature_id),
                "before": False,
                "after": True,
            }
        ],
    }
    body = await graphql(ORGANIZATION_ENABLEMENTS, {"id": org_gid(organization_id)}, headers=staff())
    (read,) = [
        e for e in body["data"]["organization"]["enablements"] if e["feature"]["key"] == "test.org_switch"
    ]
    assert read == {
        "feature": {"key": "test.org_switch"},
        "state": "ENABLED",
        "effective": True,
        "source": "ORGANIZATION",
    }


@pytest.mark.parametrize(("existing", "state"), [(None, "INHERIT"), (True, "ENABLED"), (False, "DISABLED")])
async def test_set_organization_enablement_to_the_state_it_has_is_a_no_op(
    graphql: GraphQL, conn: Connection, existing: bool | None, state: str
) -> None:
    organization_id = await factories.organization(conn)
    await factories.carrier(conn, organization_id=organization_id)
    feature_id = await factories.feature(conn, "test.org_noop")
    if existing is not None:
        await factories.set_organization_enablement(conn, organization_id, feature_id, existing)
    before = await organization_setting(conn, organization_id, feature_id)
    result = await set_organization(graphql, organization_id, "test.org_noop", state)
    assert (result["__typename"], result["enablement"]["state"], result["effectiveChanges"]) == (
        "EnablementPayload",
        state,
        [],
    )
    assert await organization_setting(conn, organization_id, feature_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("key", ["test.not_in_catalogue", *MALFORMED_KEYS])
async def test_set_organization_enablement_of_an_unknown_or_malformed_feature_is_refused(
    graphql: GraphQL, conn: Connection, key: str
) -> None:
    organization_id = await factories.organization(conn)
    result = await set_organization(graphql, organization_id, key, "DISABLED")
    assert (result["__typename"], result["field"]) == ("ValidationError", "featureKey")
    assert await conn.fetchval("select count(*) from organization_enablements") == 0
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("reason", BAD_REASONS)
async def test_set_organization_enablement_needs_a_usable_reason(
    graphql: GraphQL, conn: Connection, reason: str
) -> None:
    organization_id = await factories.organization(conn)
    feature_id = await factories.feature(conn, "test.org_reason")
    result = await set_organization(graphql, organization_id, "test.org_reason", "ENABLED", reason=reason)
    assert (result["__typename"], result["field"]) == ("ValidationError", "reason")
    assert await organization_setting(conn, organization_id, feature_id) is None
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "wrong type", "missing"])
async def test_set_organization_enablement_of_an_unknown_organization_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    carrier_id = await factories.carrier(conn)
    await factories.feature(conn, "test.org_nobody")
    ids = {"garbage": "!!", "wrong type": carrier_gid(carrier_id), "missing": org_gid(uuid.uuid4())}
    body = await graphql(
        SET_ORGANIZATION_ENABLEMENT,
        {
            "input": {
                "organizationId": ids[kind],
                "featureKey": "test.org_nobody",
                "state": "ENABLED",
                "reason": "x",
            }
        },
        headers=staff(),
    )
    result = body["data"]["setOrganizationEnablement"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "NotFoundError",
        "NOT_FOUND",
        "organizationId",
    )
    assert await conn.fetchval("select count(*) from organization_enablements") == 0
    assert await conn.fetchval("select count(*) from carrier_enablements") == 0
    assert await activity_rows(conn) == []


# The inheritance table, step by step


async def test_the_inheritance_table_through_the_mutations(graphql: GraphQL, conn: Connection) -> None:
    # given: two carriers of one organization, a feature off by default, no settings anywhere
    organization_id = await factories.organization(conn)
    follower = factories.unique_code("F")
    rebel = factories.unique_code("R")
    follower_id = await factories.carrier(conn, follower, organization_id=organization_id)
    rebel_id = await factories.carrier(conn, rebel, organization_id=organization_id)
    feature_id = await factories.feature(conn, "test.table", default=False)
    key = "test.table"
    assert await read_back(graphql, follower, key) == {
        "state": "INHERIT",
        "effective": False,
        "source": "DEFAULT",
        "updatedBy": None,
    }

    # when: the organization switches it on
    result = await set_organization(graphql, organization_id, key, "ENABLED")
    # then: both inherit it, from the organization
    assert by_code(result["effectiveChanges"]) == [
        change(follower, key, False, True, "ORGANIZATION"),
        change(rebel, key, False, True, "ORGANIZATION"),
    ]
    assert await read_back(graphql, follower, key) == {
        "state": "INHERIT",
        "effective": True,
        "source": "ORGANIZATION",
        "updatedBy": None,
    }

    # when: one carrier overrides it off
    result = await set_carrier(graphql, rebel_id, key, "DISABLED")
    # then: off for that carrier, from its own setting
    assert result["effectiveChanges"] == [change(rebel, key, True, False, "CARRIER")]
    assert await read_back(graphql, rebel, key) == {
        "state": "DISABLED",
        "effective": False,
        "source": "CARRIER",
        "updatedBy": STAFF_ONE,
    }
    override_before = await carrier_setting(conn, rebel_id, feature_id)

    # when: another staff member flips the organization to DISABLED
    result = await set_organization(graphql, organization_id, key, "DISABLED", headers=other_staff())
    # then: only the inheriting carrier changed; the override row is untouched, its author unchanged
    assert result["effectiveChanges"] == [change(follower, key, True, False, "ORGANIZATION")]
    assert result["enablement"]["updatedBy"] == STAFF_TWO
    assert await carrier_setting(conn, rebel_id, feature_id) == override_before
    assert await read_back(graphql, rebel, key) == {
        "state": "DISABLED",
        "effective": False,
        "source": "CARRIER",
        "updatedBy": STAFF_ONE,
    }
    assert await read_back(graphql, follower, key) == {
        "state": "INHERIT",
        "effective": False,
        "source": "ORGANIZATION",
        "updatedBy": None,
    }

    # when: the organization switches it on again: the override still holds
    result = await set_organization(graphql, organization_id, key, "ENABLED", headers=other_staff())
    assert result["effectiveChanges"] == [change(follower, key, False, True, "ORGANIZATION")]

    # when: the carrier goes back to INHERIT
    result = await set_carrier(graphql, rebel_id, key, "INHERIT")
    # then: it follows the organization again
    assert result["effectiveChanges"] == [change(rebel, key, False, True, "ORGANIZATION")]
    assert await carrier_setting(conn, rebel_id, feature_id) is None
    assert await read_back(graphql, rebel, key) == {
        "state": "INHERIT",
        "effective": True,
        "source": "ORGANIZATION",
        "updatedBy": None,
    }

    # when: the organization's setting is removed
    result = await set_organization(graphql, organization_id, key, "INHERIT")
    # then: both fall back to the feature's default
    assert by_code(result["effectiveChanges"]) == [
        change(follower, key, True, False, "DEFAULT"),
        change(rebel, key, True, False, "DEFAULT"),
    ]
    assert result["enablement"] == {
        "feature": {"key": key},
        "state": "INHERIT",
        "effective": False,
        "source": "DEFAULT",
        "updatedBy": None,
    }
    assert await organization_setting(conn, organization_id, feature_id) is None
    assert await read_back(graphql, rebel, key) == {
        "state": "INHERIT",
        "effective": False,
        "source": "DEFAULT",
        "updatedBy": None,
    }

    # when: the organization switches it on, then a carrier leaves the organization
    await set_organization(graphql, organization_id, key, "ENABLED")
    body = await graphql(DETACH, {"input": {"carrierId": carrier_gid(follower_id)}}, headers=staff())
    # then: the detached carrier falls back to the default, and the detach says so
    assert body["data"]["detachCarrierFromOrganization"]["effectiveChanges"] == [
        change(follower, key, True, False, "DEFAULT")
    ]
    assert await read_back(graphql, follower, key) == {
        "state": "INHERIT",
        "effective": False,
        "source": "DEFAULT",
        "updatedBy": None,
    }
    assert (await read_back(graphql, rebel, key))["effective"] is True
    actions = [r["action"] for r in await activity_rows(conn)]
    assert actions == [
        "enablement.setForOrganization",
        "enablement.setForCarrier",
        "enablement.setForOrganization",
        "enablement.setForOrganization",
        "enablement.setForCarrier",
        "enablement.setForOrganization",
        "enablement.setForOrganization",
        "carrier.detach",
    ]


async def test_changes_in_one_request_each_answer_with_the_state_they_left(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: a carrier and a feature, changed three times in one request
    carrier_id = await factories.carrier(conn, factories.unique_code())
    await factories.feature(conn, "test.twice", default=False)
    change = (
        'setCarrierEnablement(input: {{carrierId: $c, featureKey: "test.twice", state: {state}, '
        'reason: "test"}}) '
        "{{ ... on EnablementPayload {{ enablement {{ state effective }} }} }}"
    )

    # when: mutations run one after the other, in the order written
    body = await graphql(
        "mutation ($c: ID!) { on: "
        + change.format(state="ENABLED")
        + " off: "
        + change.format(state="DISABLED")
        + " back: "
        + change.format(state="INHERIT")
        + " }",
        {"c": carrier_gid(carrier_id)},
        headers=staff("req-twice"),
    )

    # then: each payload reads the data its own change left, not an earlier read of the request
    assert body.get("errors") is None, body
    assert [body["data"][name]["enablement"] for name in ("on", "off", "back")] == [
        {"state": "ENABLED", "effective": True},
        {"state": "DISABLED", "effective": False},
        {"state": "INHERIT", "effective": False},
    ]
