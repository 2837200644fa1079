"""setOrganizationKeyPolicy and setCarrierKeyPolicy: who may set what, each refusal (the rule and the
level), the activity row with before and after, and the effective policy read back with its sources."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import GraphQL
from tests.drawn import drawn
from tests.factories import admin_token, bearer, staff_token

RESULT = """
    __typename
    ... on UserError { message code field }
    ... on ForbiddenError { rule level }
"""
SET_ORGANIZATION = f"""
mutation SetOrganizationKeyPolicy($input: SetOrganizationKeyPolicyInput!) {{
  setOrganizationKeyPolicy(input: $input) {{
    {RESULT}
    ... on OrganizationKeyPolicyPayload {{
      ownKeyPolicy {{ maxLifetimeDays allowlistRequired allowedScopes maxGracePeriodSeconds
                      nonExpiringAllowed version updatedBy {{ kind name }} }}
      apiKeyPolicy {{ maxLifetimeDays maxLifetimeDaysSource allowlistRequired allowlistRequiredSource }}
    }}
  }}
}}
"""
SET_CARRIER = f"""
mutation SetCarrierKeyPolicy($input: SetCarrierKeyPolicyInput!) {{
  setCarrierKeyPolicy(input: $input) {{
    {RESULT}
    ... on CarrierKeyPolicyPayload {{
      ownKeyPolicy {{ maxLifetimeDays allowedScopes version }}
      apiKeyPolicy {{ maxLifetimeDays maxLifetimeDaysSource allowedScopes allowedScopesSource }}
    }}
  }}
}}
"""
CARRIER_POLICY = """
query CarrierPolicy($code: String!, $id: ID!) {
  carrier(code: $code) {
    apiKeyPolicy {
      maxLifetimeDays maxLifetimeDaysSource defaultLifetimeDays lifetimeChoicesDays
      allowlistRequired allowlistRequiredSource allowedScopes allowedScopesSource
      maxGracePeriodSeconds maxGracePeriodSecondsSource gracePeriodChoicesSeconds
      nonExpiringAllowed nonExpiringAllowedSource
      scopes { scope allowed notAllowedBy }
    }
    ownKeyPolicy { maxLifetimeDays version }
    organization { ownKeyPolicy { maxLifetimeDays allowlistRequired } }
  }
  apiKeyPolicy(carrierId: $id) { maxLifetimeDays maxLifetimeDaysSource }
}
"""


async def setup(conn: Connection) -> tuple[uuid.UUID, uuid.UUID, str]:
    organization = await factories.organization(conn)
    code = factories.unique_code("P")
    carrier = await factories.carrier(conn, code, organization_id=organization)
    return organization, carrier, code


def org_input(organization: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {"input": {"organizationId": to_global_id("Organization", organization), **values}}


def carrier_input(carrier: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {"input": {"carrierId": to_global_id("Carrier", carrier), **values}}


async def policy_events(conn: Connection, target: uuid.UUID) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "select * from activity_log where target_id = $1 and action like 'keyPolicy.%' order by occurred_at",
        target,
    )
    return rows


async def test_an_organizations_administrators_set_its_policy_and_its_carriers_follow(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    organization, carrier, code = await setup(conn)
    org_admin = bearer(admin_token(organizations=[organization]))

    # when
    body = await graphql(
        SET_ORGANIZATION,
        org_input(organization, maxLifetimeDays=30, allowlistRequired=True, reason="Audit finding 12"),
        headers=org_admin,
    )

    # then
    result = body["data"]["setOrganizationKeyPolicy"]
    assert result["__typename"] == "OrganizationKeyPolicyPayload", result
    assert result["ownKeyPolicy"] == {
        "maxLifetimeDays": 30,
        "allowlistRequired": True,
        "allowedScopes": None,
        "maxGracePeriodSeconds": None,
        "nonExpiringAllowed": None,
        "version": 1,
        "updatedBy": {"kind": "ADMIN", "name": "Alex Admin"},
    }
    assert result["apiKeyPolicy"] == {
        "maxLifetimeDays": 30,
        "maxLifetimeDaysSource": "ORGANIZATION",
        "allowlistRequired": True,
        "allowlistRequiredSource": "ORGANIZATION",
    }
    read = await graphql(
        CARRIER_POLICY, {"code": code, "id": to_global_id("Carrier", carrier)}, headers=bearer(staff_token())
    )
    policy = read["data"]["carrier"]["apiKeyPolicy"]
    assert (policy["maxLifetimeDays"], policy["maxLifetimeDaysSource"]) == (30, "ORGANIZATION")
    assert policy["defaultLifetimeDays"] == 30  # the default follows the maximum down
    assert max(policy["lifetimeChoicesDays"]) == 30
    assert (policy["maxGracePeriodSeconds"], policy["maxGracePeriodSecondsSource"]) == (604800, "PLATFORM")
    assert read["data"]["apiKeyPolicy"] == {"maxLifetimeDays": 30, "maxLifetimeDaysSource": "ORGANIZATION"}
    (event,) = await policy_events(conn, organization)
    assert event["action"] == "keyPolicy.setForOrganization"
    assert event["organization_id"] == organization
    assert event["reason"] == "Audit finding 12"
    before, after = (asyncpg_json(event["before"]), asyncpg_json(event["after"]))
    assert (before["maxLifetimeDays"], before["version"]) == (None, 0)
    assert (after["maxLifetimeDays"], after["allowlistRequired"]) == (30, True)


def asyncpg_json(value: Any) -> dict[str, Any]:
    import json

    return json.loads(value) if isinstance(value, str) else dict(value)


async def test_setting_the_same_policy_again_records_nothing(graphql: GraphQL, conn: Connection) -> None:
    organization, _, _ = await setup(conn)
    for _ in range(2):
        body = await graphql(
            SET_ORGANIZATION, org_input(organization, maxLifetimeDays=60), headers=bearer(staff_token())
        )
        assert body["data"]["setOrganizationKeyPolicy"]["__typename"] == "OrganizationKeyPolicyPayload"
    assert len(await policy_events(conn, organization)) == 1


async def test_who_may_set_an_organizations_policy(graphql: GraphQL, conn: Connection) -> None:
    organization, carrier, code = await setup(conn)
    other_organization = await factories.organization(conn)
    _, secret = await factories.api_key(conn, carrier, scopes=("keys:read", "keys:write"))
    cases = {
        "carrier admin": (bearer(admin_token(carriers=[code])), "ForbiddenError", "POLICY_NOT_ADMINISTRATOR"),
        "another organization's admin": (
            bearer(admin_token(organizations=[other_organization])),
            "NotFoundError",
            None,
        ),
        "an API key": (bearer(secret), "ForbiddenError", "POLICY_NOT_ADMINISTRATOR"),
        "staff": (bearer(staff_token()), "OrganizationKeyPolicyPayload", None),
    }
    for who, (headers, typename, rule) in cases.items():
        body = await graphql(SET_ORGANIZATION, org_input(organization, maxLifetimeDays=45), headers=headers)
        result = body["data"]["setOrganizationKeyPolicy"]
        assert result["__typename"] == typename, (who, result)
        assert result.get("rule") == rule, who


async def test_an_organization_cannot_loosen_the_platform(graphql: GraphQL, conn: Connection) -> None:
    organization, _, _ = await setup(conn)
    cases: dict[str, dict[str, Any]] = {
        "maxLifetimeDays": {"maxLifetimeDays": 400},  # the platform's maximum is 365
        "maxGracePeriodSeconds": {"maxGracePeriodSeconds": 700000},
        "nonExpiringAllowed": {"nonExpiringAllowed": True},  # the platform does not allow them
    }
    for field, values in cases.items():
        body = await graphql(
            SET_ORGANIZATION, org_input(organization, **values), headers=bearer(staff_token())
        )
        result = body["data"]["setOrganizationKeyPolicy"]
        assert result["__typename"] == "ForbiddenError", result
        assert (result["rule"], result["level"], result["field"]) == (
            "POLICY_LOOSER_THAN_LEVEL_ABOVE",
            "PLATFORM",
            field,
        )
    body = await graphql(
        SET_ORGANIZATION, org_input(organization, allowedScopes=[]), headers=bearer(staff_token())
    )
    assert body["data"]["setOrganizationKeyPolicy"]["__typename"] == "ValidationError"
    assert await policy_events(conn, organization) == []


async def test_staff_tighten_one_carrier_within_its_organization(graphql: GraphQL, conn: Connection) -> None:
    # given an organization that allows reading scopes only and 60 days
    organization, carrier, code = await setup(conn)
    staff = bearer(staff_token())
    await graphql(
        SET_ORGANIZATION,
        org_input(
            organization, maxLifetimeDays=60, allowedScopes=["CARRIER_READ", "KEYS_READ", "KEYS_WRITE"]
        ),
        headers=staff,
    )

    # a looser value than the organization's is refused, naming it
    looser = await graphql(SET_CARRIER, carrier_input(carrier, maxLifetimeDays=90), headers=staff)
    refused = looser["data"]["setCarrierKeyPolicy"]
    assert (refused["rule"], refused["level"], refused["field"]) == (
        "POLICY_LOOSER_THAN_LEVEL_ABOVE",
        "ORGANIZATION",
        "maxLifetimeDays",
    )
    wider = await graphql(SET_CARRIER, carrier_input(carrier, allowedScopes=["ACTIVITY_READ"]), headers=staff)
    assert wider["data"]["setCarrierKeyPolicy"]["level"] == "ORGANIZATION"

    # a tighter one is taken, and the carrier's keys follow it
    body = await graphql(
        SET_CARRIER, carrier_input(carrier, maxLifetimeDays=14, allowedScopes=["CARRIER_READ"]), headers=staff
    )
    result = body["data"]["setCarrierKeyPolicy"]
    assert result["__typename"] == "CarrierKeyPolicyPayload", result
    assert result["apiKeyPolicy"] == {
        "maxLifetimeDays": 14,
        "maxLifetimeDaysSource": "CARRIER",
        "allowedScopes": ["CARRIER_READ"],
        "allowedScopesSource": "CARRIER",
    }
    read = await graphql(
        CARRIER_POLICY, {"code": code, "id": to_global_id("Carrier", carrier)}, headers=staff
    )
    scopes = {s["scope"]: s for s in read["data"]["carrier"]["apiKeyPolicy"]["scopes"]}
    assert scopes["ACTIVITY_READ"] == {
        "scope": "ACTIVITY_READ",
        "allowed": False,
        "notAllowedBy": "ORGANIZATION",
    }
    assert scopes["KEYS_WRITE"]["notAllowedBy"] == "CARRIER"
    assert scopes["CARRIER_READ"]["allowed"] is True
    (event,) = await policy_events(conn, carrier)
    assert (event["action"], event["carrier_id"], event["organization_id"]) == (
        "keyPolicy.setForCarrier",
        carrier,
        organization,
    )


async def test_a_carriers_own_policy_is_staffs_alone(graphql: GraphQL, conn: Connection) -> None:
    organization, carrier, code = await setup(conn)
    for headers in (bearer(admin_token(organizations=[organization])), bearer(admin_token(carriers=[code]))):
        body = await graphql(SET_CARRIER, carrier_input(carrier, maxLifetimeDays=10), headers=headers)
        assert body["data"]["setCarrierKeyPolicy"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await policy_events(conn, carrier) == []


async def test_the_page_is_told_who_may_set_the_policy(graphql: GraphQL, conn: Connection) -> None:
    organization, _, code = await setup(conn)
    query = "query($code: String!) { carrier(code: $code) { permissions { operation allowed reason } } }"
    expected = {
        "org admin": (bearer(admin_token(organizations=[organization])), True, False),
        "carrier admin": (bearer(admin_token(carriers=[code])), False, False),
        "staff": (bearer(staff_token()), True, True),
    }
    for who, (headers, organization_allowed, carrier_allowed) in expected.items():
        body = await graphql(query, {"code": code}, headers=headers)
        permissions = {p["operation"]: p for p in body["data"]["carrier"]["permissions"]}
        assert permissions["setOrganizationKeyPolicy"]["allowed"] is organization_allowed, who
        assert permissions["setCarrierKeyPolicy"]["allowed"] is carrier_allowed, who


async def test_a_policy_changed_since_it_was_read_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    organization, _, _ = await setup(conn)
    staff = bearer(staff_token())
    first = await graphql(
        SET_ORGANIZATION, org_input(organization, maxLifetimeDays=60, expectedVersion=0), headers=staff
    )
    assert first["data"]["setOrganizationKeyPolicy"]["ownKeyPolicy"]["version"] == 1
    # someone who read it before that change
    stale = await graphql(
        SET_ORGANIZATION, org_input(organization, maxLifetimeDays=30, expectedVersion=0), headers=staff
    )
    assert stale["data"]["setOrganizationKeyPolicy"]["__typename"] == "ConflictError"
    assert stale["data"]["setOrganizationKeyPolicy"]["field"] == "expectedVersion"
    assert len(await policy_events(conn, organization)) == 1


SCOPE_NAMES = ["CARRIER_READ", "ENABLEMENTS_READ", "KEYS_READ", "KEYS_WRITE", "ACTIVITY_READ"]
LEVEL_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "maxLifetimeDays": st.integers(1, 500),
        "allowlistRequired": st.booleans(),
        "allowedScopes": st.lists(st.sampled_from(SCOPE_NAMES), min_size=1, unique=True),
        "maxGracePeriodSeconds": st.integers(0, 700_000),
        "nonExpiringAllowed": st.booleans(),
    },
)
EFFECTIVE = """query($code: String!) { carrier(code: $code) { apiKeyPolicy {
  maxLifetimeDays maxLifetimeDaysSource allowlistRequired allowlistRequiredSource allowedScopes
  maxGracePeriodSeconds maxGracePeriodSecondsSource nonExpiringAllowed nonExpiringAllowedSource } } }"""


async def test_through_the_api_no_combination_of_levels_is_looser_than_any_level_set(
    graphql: GraphQL, conn: Connection
) -> None:
    """Generated levels, set through the mutations (a looser one refused, naming the level above), and
    the carrier's effective policy read back: never looser than what any accepted level says."""
    staff = bearer(staff_token())
    platform: dict[str, Any] = {
        "maxLifetimeDays": 365,
        "allowlistRequired": False,
        "allowedScopes": SCOPE_NAMES,
        "maxGracePeriodSeconds": 604800,
        "nonExpiringAllowed": False,
    }
    for organization_values, carrier_values in drawn(st.tuples(LEVEL_VALUES, LEVEL_VALUES), 25):
        organization, carrier, code = await setup(conn)
        accepted = [platform]
        for document, variables, values in (
            (SET_ORGANIZATION, org_input(organization, **organization_values), organization_values),
            (SET_CARRIER, carrier_input(carrier, **carrier_values), carrier_values),
        ):
            (result,) = (await graphql(document, variables, headers=staff))["data"].values()
            if result["__typename"] == "ForbiddenError":
                assert result["rule"] == "POLICY_LOOSER_THAN_LEVEL_ABOVE", result
                assert result["level"] in ("PLATFORM", "ORGANIZATION"), result
                continue
            assert result["__typename"].endswith("KeyPolicyPayload"), result
            accepted.append(values)
        policy = (await graphql(EFFECTIVE, {"code": code}, headers=staff))["data"]["carrier"]["apiKeyPolicy"]
        for level in accepted:
            for number in ("maxLifetimeDays", "maxGracePeriodSeconds"):
                if number in level:
                    assert policy[number] <= level[number], (level, policy)
            if level.get("allowlistRequired"):
                assert policy["allowlistRequired"], (level, policy)
            if level.get("nonExpiringAllowed") is False:
                assert not policy["nonExpiringAllowed"], (level, policy)
            if "allowedScopes" in level:
                assert set(policy["allowedScopes"]) <= set(level["allowedScopes"]), (level, policy)
