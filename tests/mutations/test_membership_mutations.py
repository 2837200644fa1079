"""attachCarrierToOrganization, moveCarrierToOrganization and detachCarrierFromOrganization."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import GraphQL
from tests.factories import bearer, staff_token

MEMBERSHIP_RESULT = """
    __typename
    ... on CarrierMembershipPayload {
      carrier { id code version organization { id name } }
      organization { id name version }
      previousOrganizationId
      effectiveChanges { carrier { code } feature { key } before after source }
    }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
    ... on AlreadyInOrganizationError { currentOrganization { id name } }
"""

ATTACH = f"""
mutation Attach($input: AttachCarrierInput!) {{
  attachCarrierToOrganization(input: $input) {{ {MEMBERSHIP_RESULT} }}
}}
"""

MOVE = f"""
mutation Move($input: MoveCarrierInput!) {{
  moveCarrierToOrganization(input: $input) {{ {MEMBERSHIP_RESULT} }}
}}
"""

DETACH = f"""
mutation Detach($input: DetachCarrierInput!) {{
  detachCarrierFromOrganization(input: $input) {{ {MEMBERSHIP_RESULT} }}
}}
"""


def staff(request_id: str | None = None) -> dict[str, str]:
    headers = bearer(staff_token())
    if request_id:
        headers["X-Request-Id"] = request_id
    return headers


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


async def carrier_row(conn: Connection, carrier_id: uuid.UUID) -> dict[str, Any]:
    record = await conn.fetchrow("select * from carriers where id = $1", carrier_id)
    assert record is not None
    return dict(record)


def assert_recorded_by_staff(row: asyncpg.Record, request_id: str) -> None:
    assert (row["actor_kind"], row["actor_id"], row["actor_name"], row["actor_is_staff"]) == (
        "staff",
        "staff-1",
        "Sam Staff",
        True,
    )
    assert (row["outcome"], row["request_id"], row["address"]) == ("succeeded", request_id, "127.0.0.1")


def change(code: str, key: str, before: bool, after: bool, source: str) -> dict[str, Any]:
    return {
        "carrier": {"code": code},
        "feature": {"key": key},
        "before": before,
        "after": after,
        "source": source,
    }


def keyed(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["feature"]["key"]: c for c in changes}


# attachCarrierToOrganization


async def test_attach_puts_the_carrier_in_the_organization_and_lists_what_changed(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: an organization switches two features and leaves a third alone; the carrier overrides a fourth
    organization_id = await factories.organization(conn, "Joined Group")
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code)
    switched_on = await factories.feature(conn, "test.attach_on", default=False)
    switched_off = await factories.feature(conn, "test.attach_off", default=True)
    await factories.feature(conn, "test.attach_untouched", default=True)
    overridden = await factories.feature(conn, "test.attach_overridden", default=False)
    await factories.set_organization_enablement(conn, organization_id, switched_on, True)
    await factories.set_organization_enablement(conn, organization_id, switched_off, False)
    await factories.set_organization_enablement(conn, organization_id, overridden, False)
    await factories.set_carrier_enablement(conn, carrier_id, overridden, True)

    # when
    body = await graphql(
        ATTACH,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "organizationId": org_gid(organization_id),
                "expectedVersion": 1,
            }
        },
        headers=staff("req-attach"),
    )

    # then
    result = body["data"]["attachCarrierToOrganization"]
    assert result["__typename"] == "CarrierMembershipPayload"
    assert result["carrier"] == {
        "id": carrier_gid(carrier_id),
        "code": code,
        "version": 2,
        "organization": {"id": org_gid(organization_id), "name": "Joined Group"},
    }
    assert result["organization"] == {"id": org_gid(organization_id), "name": "Joined Group", "version": 1}
    assert result["previousOrganizationId"] is None
    assert keyed(result["effectiveChanges"]) == {
        "test.attach_on": change(code, "test.attach_on", False, True, "ORGANIZATION"),
        "test.attach_off": change(code, "test.attach_off", True, False, "ORGANIZATION"),
    }
    assert len(result["effectiveChanges"]) == 2
    row = await carrier_row(conn, carrier_id)
    assert (row["organization_id"], row["version"]) == (organization_id, 2)
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-attach")
    assert event["action"] == "carrier.attach"
    assert (event["target_type"], event["target_id"], event["carrier_id"], event["organization_id"]) == (
        "Carrier",
        carrier_id,
        carrier_id,
        organization_id,
    )
    assert event["before"] == {
        "code": code,
        "name": f"{code} Railroad",
        "organizationId": None,
        "organizationName": None,
        "version": 1,
    }
    after = dict(event["after"])
    recorded_changes = after.pop("effectiveChanges")
    assert after == {
        "code": code,
        "name": f"{code} Railroad",
        "organizationId": to_global_id("Organization", organization_id),
        "organizationName": "Joined Group",
        "version": 2,
    }
    assert sorted(recorded_changes, key=lambda c: c["before"]) == [
        {
            "carrierId": to_global_id("Carrier", carrier_id),
            "featureId": to_global_id("Feature", switched_on),
            "before": False,
            "after": True,
        },
        {
            "carrierId": to_global_id("Carrier", carrier_id),
            "featureId": to_global_id("Feature", switched_off),
            "before": True,
            "after": False,
        },
    ]


async def test_attach_to_the_organization_it_is_in_is_a_no_op(graphql: GraphQL, conn: Connection) -> None:
    # given
    organization_id = await factories.organization(conn, "Home Group")
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    await factories.set_organization_enablement(conn, organization_id, await factories.feature(conn), True)
    before = await carrier_row(conn, carrier_id)

    # when
    body = await graphql(
        ATTACH,
        {"input": {"carrierId": carrier_gid(carrier_id), "organizationId": org_gid(organization_id)}},
        headers=staff(),
    )

    # then
    result = body["data"]["attachCarrierToOrganization"]
    assert result["__typename"] == "CarrierMembershipPayload"
    assert result["carrier"]["version"] == 1
    assert result["organization"]["name"] == "Home Group"
    assert result["effectiveChanges"] == []
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_attach_of_a_carrier_in_another_organization_names_that_organization(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    current = await factories.organization(conn, "Current Group")
    wanted = await factories.organization(conn, "Wanted Group")
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=current)
    before = await carrier_row(conn, carrier_id)

    # when
    body = await graphql(
        ATTACH,
        {"input": {"carrierId": carrier_gid(carrier_id), "organizationId": org_gid(wanted)}},
        headers=staff(),
    )

    # then
    assert body["data"]["attachCarrierToOrganization"] == {
        "__typename": "AlreadyInOrganizationError",
        "message": f"Carrier {code} already belongs to Current Group. Move it explicitly "
        "(moveCarrierToOrganization) or detach it first.",
        "code": "ALREADY_IN_ORGANIZATION",
        "field": "carrierId",
        "currentOrganization": {"id": org_gid(current), "name": "Current Group"},
    }
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_attach_with_a_stale_version_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn)
    await conn.execute("update carriers set version = 5 where id = $1", carrier_id)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        ATTACH,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "organizationId": org_gid(organization_id),
                "expectedVersion": 4,
            }
        },
        headers=staff(),
    )
    result = body["data"]["attachCarrierToOrganization"]
    assert (result["__typename"], result["code"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "CONFLICT",
        "expectedVersion",
        5,
    )
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_attach_refuses_expected_version_zero(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        ATTACH,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "organizationId": org_gid(organization_id),
                "expectedVersion": 0,
            }
        },
        headers=staff(),
    )
    result = body["data"]["attachCarrierToOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("carrierId", "garbage"),
        ("carrierId", "wrong type"),
        ("carrierId", "missing"),
        ("organizationId", "garbage"),
        ("organizationId", "wrong type"),
        ("organizationId", "missing"),
    ],
)
async def test_attach_with_an_unknown_id_is_not_found(
    graphql: GraphQL, conn: Connection, field: str, kind: str
) -> None:
    # given
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn)
    before = await carrier_row(conn, carrier_id)
    variables = {"carrierId": carrier_gid(carrier_id), "organizationId": org_gid(organization_id)}
    bad = {
        "garbage": "definitely not an id",
        # the other argument's global id: a Carrier id as organizationId and the reverse
        "wrong type": variables["organizationId" if field == "carrierId" else "carrierId"],
        "missing": to_global_id("Carrier" if field == "carrierId" else "Organization", uuid.uuid4()),
    }
    variables[field] = bad[kind]

    # when
    body = await graphql(ATTACH, {"input": variables}, headers=staff())

    # then
    result = body["data"]["attachCarrierToOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == ("NotFoundError", "NOT_FOUND", field)
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


# moveCarrierToOrganization


async def test_move_changes_the_organization_and_lists_what_changed(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: A switches a feature on that B switches off; B switches on one A leaves alone
    source = await factories.organization(conn, "Source Group")
    target = await factories.organization(conn, "Target Group")
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=source)
    flipped = await factories.feature(conn, "test.move_flipped")
    gained = await factories.feature(conn, "test.move_gained")
    same = await factories.feature(conn, "test.move_same")
    await factories.set_organization_enablement(conn, source, flipped, True)
    await factories.set_organization_enablement(conn, target, flipped, False)
    await factories.set_organization_enablement(conn, target, gained, True)
    await factories.set_organization_enablement(conn, source, same, True)
    await factories.set_organization_enablement(conn, target, same, True)

    # when
    body = await graphql(
        MOVE,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "fromOrganizationId": org_gid(source),
                "toOrganizationId": org_gid(target),
                "expectedVersion": 1,
            }
        },
        headers=staff("req-move"),
    )

    # then
    result = body["data"]["moveCarrierToOrganization"]
    assert result["__typename"] == "CarrierMembershipPayload"
    assert result["carrier"]["version"] == 2
    assert result["carrier"]["organization"] == {"id": org_gid(target), "name": "Target Group"}
    assert result["organization"]["name"] == "Target Group"
    assert result["previousOrganizationId"] == org_gid(source)
    assert sorted(result["effectiveChanges"], key=lambda c: str(c["feature"]["key"])) == [
        change(code, "test.move_flipped", True, False, "ORGANIZATION"),
        change(code, "test.move_gained", False, True, "ORGANIZATION"),
    ]
    row = await carrier_row(conn, carrier_id)
    assert (row["organization_id"], row["version"]) == (target, 2)
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-move")
    assert event["action"] == "carrier.move"
    # recorded under the organization it left (whose administrators keep its history)
    assert (event["target_type"], event["target_id"], event["organization_id"]) == (
        "Carrier",
        carrier_id,
        source,
    )
    assert event["before"]["organizationId"] == to_global_id("Organization", source)
    assert event["after"]["organizationId"] == to_global_id("Organization", target)
    assert {c["featureId"] for c in event["after"]["effectiveChanges"]} == {
        to_global_id("Feature", flipped),
        to_global_id("Feature", gained),
    }


async def test_move_from_an_organization_it_is_not_in_is_a_conflict(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: the caller believes the carrier is in A; it was moved to B meanwhile
    first = await factories.organization(conn)
    now_in = await factories.organization(conn)
    target = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=now_in)
    before = await carrier_row(conn, carrier_id)

    # when
    body = await graphql(
        MOVE,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "fromOrganizationId": org_gid(first),
                "toOrganizationId": org_gid(target),
            }
        },
        headers=staff(),
    )

    # then
    result = body["data"]["moveCarrierToOrganization"]
    assert (result["__typename"], result["code"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "CONFLICT",
        "fromOrganizationId",
        1,
    )
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_move_of_a_carrier_in_no_organization_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    source = await factories.organization(conn)
    target = await factories.organization(conn)
    carrier_id = await factories.carrier(conn)
    body = await graphql(
        MOVE,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "fromOrganizationId": org_gid(source),
                "toOrganizationId": org_gid(target),
            }
        },
        headers=staff(),
    )
    result = body["data"]["moveCarrierToOrganization"]
    assert (result["__typename"], result["field"]) == ("ConflictError", "fromOrganizationId")
    assert (await carrier_row(conn, carrier_id))["organization_id"] is None
    assert await activity_rows(conn) == []


async def test_move_to_the_organization_it_is_in_is_refused(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        MOVE,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "fromOrganizationId": org_gid(organization_id),
                "toOrganizationId": org_gid(organization_id),
            }
        },
        headers=staff(),
    )
    result = body["data"]["moveCarrierToOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "toOrganizationId")
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_move_with_a_stale_version_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    source = await factories.organization(conn)
    target = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=source)
    await conn.execute("update carriers set version = 3 where id = $1", carrier_id)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        MOVE,
        {
            "input": {
                "carrierId": carrier_gid(carrier_id),
                "fromOrganizationId": org_gid(source),
                "toOrganizationId": org_gid(target),
                "expectedVersion": 2,
            }
        },
        headers=staff(),
    )
    result = body["data"]["moveCarrierToOrganization"]
    assert (result["__typename"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "expectedVersion",
        3,
    )
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("carrierId", "garbage"),
        ("carrierId", "wrong type"),
        ("carrierId", "missing"),
        ("fromOrganizationId", "garbage"),
        ("fromOrganizationId", "wrong type"),
        ("toOrganizationId", "garbage"),
        ("toOrganizationId", "wrong type"),
        ("toOrganizationId", "missing"),
    ],
)
async def test_move_with_an_unknown_id_is_not_found_and_names_the_input_field(
    graphql: GraphQL, conn: Connection, field: str, kind: str
) -> None:
    # given
    source = await factories.organization(conn)
    target = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=source)
    before = await carrier_row(conn, carrier_id)
    variables = {
        "carrierId": carrier_gid(carrier_id),
        "fromOrganizationId": org_gid(source),
        "toOrganizationId": org_gid(target),
    }
    bad = {
        "garbage": "bm9wZQ==",  # base64 of "nope"
        "wrong type": carrier_gid(target) if field != "carrierId" else org_gid(carrier_id),
        "missing": to_global_id("Carrier" if field == "carrierId" else "Organization", uuid.uuid4()),
    }
    variables[field] = bad[kind]

    # when
    body = await graphql(MOVE, {"input": variables}, headers=staff())

    # then
    result = body["data"]["moveCarrierToOrganization"]
    assert (result["__typename"], result["code"]) == ("NotFoundError", "NOT_FOUND")
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []
    assert result["field"] == field


# detachCarrierFromOrganization


async def test_detach_takes_the_carrier_out_and_falls_back_to_defaults(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    organization_id = await factories.organization(conn, "Left Group")
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code, organization_id=organization_id)
    inherited = await factories.feature(conn, "test.detach_inherited", default=False)
    overridden = await factories.feature(conn, "test.detach_overridden", default=False)
    await factories.set_organization_enablement(conn, organization_id, inherited, True)
    await factories.set_organization_enablement(conn, organization_id, overridden, True)
    await factories.set_carrier_enablement(conn, carrier_id, overridden, True)

    # when
    body = await graphql(
        DETACH,
        {"input": {"carrierId": carrier_gid(carrier_id), "expectedVersion": 1}},
        headers=staff("req-detach"),
    )

    # then
    result = body["data"]["detachCarrierFromOrganization"]
    assert result == {
        "__typename": "CarrierMembershipPayload",
        "carrier": {"id": carrier_gid(carrier_id), "code": code, "version": 2, "organization": None},
        "organization": None,
        "previousOrganizationId": org_gid(organization_id),
        "effectiveChanges": [change(code, "test.detach_inherited", True, False, "DEFAULT")],
    }
    row = await carrier_row(conn, carrier_id)
    assert (row["organization_id"], row["version"]) == (None, 2)
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-detach")
    assert event["action"] == "carrier.detach"
    assert (event["target_type"], event["target_id"], event["organization_id"]) == (
        "Carrier",
        carrier_id,
        organization_id,
    )
    assert event["before"]["organizationId"] == to_global_id("Organization", organization_id)
    assert event["before"]["organizationName"] == "Left Group"
    assert event["after"] == {
        "code": code,
        "name": f"{code} Railroad",
        "organizationId": None,
        "organizationName": None,
        "version": 2,
        "effectiveChanges": [
            {
                "carrierId": to_global_id("Carrier", carrier_id),
                "featureId": to_global_id("Feature", inherited),
                "before": True,
                "after": False,
            }
        ],
    }


async def test_detach_of_a_carrier_in_no_organization_is_a_no_op(graphql: GraphQL, conn: Connection) -> None:
    carrier_id = await factories.carrier(conn)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(DETACH, {"input": {"carrierId": carrier_gid(carrier_id)}}, headers=staff())
    result = body["data"]["detachCarrierFromOrganization"]
    assert result["__typename"] == "CarrierMembershipPayload"
    assert (result["organization"], result["previousOrganizationId"], result["effectiveChanges"]) == (
        None,
        None,
        [],
    )
    assert result["carrier"]["version"] == 1
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_detach_with_a_stale_version_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    await conn.execute("update carriers set version = 2 where id = $1", carrier_id)
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        DETACH, {"input": {"carrierId": carrier_gid(carrier_id), "expectedVersion": 1}}, headers=staff()
    )
    result = body["data"]["detachCarrierFromOrganization"]
    assert (result["__typename"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "expectedVersion",
        2,
    )
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "wrong type", "missing"])
async def test_detach_of_an_unknown_carrier_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    ids = {
        "garbage": "???",
        "wrong type": org_gid(carrier_id),
        "missing": carrier_gid(uuid.uuid4()),
    }
    body = await graphql(DETACH, {"input": {"carrierId": ids[kind]}}, headers=staff())
    result = body["data"]["detachCarrierFromOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "NotFoundError",
        "NOT_FOUND",
        "carrierId",
    )
    assert (await carrier_row(conn, carrier_id))["organization_id"] == organization_id
    assert await activity_rows(conn) == []


async def test_detach_refuses_expected_version_zero(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, organization_id=organization_id)
    body = await graphql(
        DETACH, {"input": {"carrierId": carrier_gid(carrier_id), "expectedVersion": 0}}, headers=staff()
    )
    result = body["data"]["detachCarrierFromOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert (await carrier_row(conn, carrier_id))["organization_id"] == organization_id
    assert await activity_rows(conn) == []
