"""createOrganization, renameOrganization and deleteOrganization."""

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

ORGANIZATION_PAYLOAD = """
    ... on OrganizationPayload {
      organization { id name version carriers { totalCount nodes { code } } }
      carriers { id code version organization { name } }
      effectiveChanges { carrier { code } feature { key } before after source }
    }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
"""

CREATE_ORGANIZATION = f"""
mutation CreateOrganization($input: CreateOrganizationInput!) {{
  createOrganization(input: $input) {{
    __typename
    {ORGANIZATION_PAYLOAD}
    ... on AlreadyInOrganizationError {{ currentOrganization {{ id name }} }}
  }}
}}
"""

RENAME_ORGANIZATION = f"""
mutation RenameOrganization($input: RenameOrganizationInput!) {{
  renameOrganization(input: $input) {{
    __typename
    {ORGANIZATION_PAYLOAD}
  }}
}}
"""

DELETE_ORGANIZATION = """
mutation DeleteOrganization($input: DeleteOrganizationInput!) {
  deleteOrganization(input: $input) {
    __typename
    ... on DeleteOrganizationPayload { deletedOrganizationId name }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
    ... on OrganizationNotEmptyError { carrierCount }
  }
}
"""

BAD_NAMES = ["", "   ", "x" * 201, "Bell\x07Group", "Nul\x00Group", "Del\x7fGroup"]


def staff(request_id: str | None = None) -> dict[str, str]:
    headers = bearer(staff_token())
    if request_id:
        headers["X-Request-Id"] = request_id
    return headers


def org_gid(organization_id: uuid.UUID) -> str:
    return to_global_id("Organization", organization_id)


async def activity_rows(conn: Connection, action: str | None = None) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """select *, host(client_address) as address from activity_log
           where $1::text is null or action = $1 order by occurred_at, id""",
        action,
    )
    return rows


async def organization_row(conn: Connection, organization_id: uuid.UUID) -> dict[str, Any] | None:
    record = await conn.fetchrow("select * from organizations where id = $1", organization_id)
    return dict(record) if record else None


async def carrier_row(conn: Connection, carrier_id: uuid.UUID) -> dict[str, Any]:
    record = await conn.fetchrow("select * from carriers where id = $1", carrier_id)
    assert record is not None
    return dict(record)


async def organization_count(conn: Connection) -> int:
    count: int = await conn.fetchval("select count(*) from organizations")
    return count


def assert_recorded_by_staff(row: asyncpg.Record, request_id: str) -> None:
    assert (row["actor_kind"], row["actor_id"], row["actor_name"], row["actor_is_staff"]) == (
        "staff",
        "staff-1",
        "Sam Staff",
        True,
    )
    assert (row["outcome"], row["request_id"], row["address"]) == ("succeeded", request_id, "127.0.0.1")


# createOrganization


async def test_create_organization_returns_it_and_records_it(graphql: GraphQL, conn: Connection) -> None:
    # when
    body = await graphql(
        CREATE_ORGANIZATION, {"input": {"name": "  Great Lakes Group "}}, headers=staff("req-create-org")
    )

    # then
    result = body["data"]["createOrganization"]
    assert result["__typename"] == "OrganizationPayload"
    organization = result["organization"]
    row = await conn.fetchrow("select * from organizations where name = 'Great Lakes Group'")
    assert row is not None
    assert organization == {
        "id": org_gid(row["id"]),
        "name": "Great Lakes Group",
        "version": 1,
        "carriers": {"totalCount": 0, "nodes": []},
    }
    assert (result["carriers"], result["effectiveChanges"]) == ([], [])
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-create-org")
    assert event["action"] == "organization.create"
    assert (event["target_type"], event["target_id"], event["organization_id"]) == (
        "Organization",
        row["id"],
        row["id"],
    )
    assert (event["before"], event["after"]) == (None, {"name": "Great Lakes Group", "version": 1})


async def test_create_organization_from_a_carrier_attaches_it_in_the_same_transaction(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: a carrier in no organization, with a feature on by default and one it overrides
    code = factories.unique_code()
    carrier_id = await factories.carrier(conn, code)
    await factories.feature(conn, default=True)
    override = await factories.feature(conn)
    await factories.set_carrier_enablement(conn, carrier_id, override, True)

    # when
    body = await graphql(
        CREATE_ORGANIZATION,
        {"input": {"name": "Prairie Group", "carrierIds": [to_global_id("Carrier", carrier_id)]}},
        headers=staff("req-from-carrier"),
    )

    # then: the carrier is in it; a new organization has no settings, so nothing effective changed
    result = body["data"]["createOrganization"]
    assert result["__typename"] == "OrganizationPayload"
    assert result["organization"]["name"] == "Prairie Group"
    assert result["organization"]["carriers"] == {"totalCount": 1, "nodes": [{"code": code}]}
    assert result["carriers"] == [
        {
            "id": to_global_id("Carrier", carrier_id),
            "code": code,
            "version": 2,
            "organization": {"name": "Prairie Group"},
        }
    ]
    assert result["effectiveChanges"] == []
    organization_id = await conn.fetchval("select id from organizations where name = 'Prairie Group'")
    carrier = await carrier_row(conn, carrier_id)
    assert (carrier["organization_id"], carrier["version"]) == (organization_id, 2)
    create, attach = await activity_rows(conn)
    assert (create["action"], create["target_id"]) == ("organization.create", organization_id)
    assert attach["action"] == "carrier.attach"
    assert_recorded_by_staff(attach, "req-from-carrier")
    assert (attach["target_type"], attach["target_id"], attach["organization_id"]) == (
        "Carrier",
        carrier_id,
        organization_id,
    )
    assert attach["before"] == {
        "code": code,
        "name": f"{code} Railroad",
        "organizationId": None,
        "organizationName": None,
        "version": 1,
    }
    assert attach["after"] == {
        "code": code,
        "name": f"{code} Railroad",
        "organizationId": to_global_id("Organization", organization_id),
        "organizationName": "Prairie Group",
        "version": 2,
        "effectiveChanges": [],
    }


async def test_create_organization_from_a_carrier_already_in_one_creates_nothing(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    current = await factories.organization(conn, "Current Group")
    carrier_id = await factories.carrier(conn, organization_id=current)
    before = await carrier_row(conn, carrier_id)
    count = await organization_count(conn)

    # when
    body = await graphql(
        CREATE_ORGANIZATION,
        {"input": {"name": "Wanted Group", "carrierIds": [to_global_id("Carrier", carrier_id)]}},
        headers=staff(),
    )

    # then: the error names the organization it is in and points at the input field `carrierIds[0]`
    result = body["data"]["createOrganization"]
    assert result["__typename"] == "AlreadyInOrganizationError"
    assert result["code"] == "ALREADY_IN_ORGANIZATION"
    assert result["currentOrganization"] == {"id": org_gid(current), "name": "Current Group"}
    assert "Current Group" in result["message"]
    assert await organization_count(conn) == count
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []
    assert result["field"] == "carrierIds[0]"


@pytest.mark.parametrize("kind", ["garbage", "organization", "missing"])
async def test_create_organization_from_an_unknown_carrier_creates_nothing(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    # given
    other = await factories.organization(conn)
    ids = {
        "garbage": "Q2Fycmllcjpub3QtYS11dWlk",  # base64 of "Carrier:not-a-uuid"
        "organization": org_gid(other),
        "missing": to_global_id("Carrier", uuid.uuid4()),
    }
    count = await organization_count(conn)

    # when
    body = await graphql(
        CREATE_ORGANIZATION, {"input": {"name": "Orphan Group", "carrierIds": [ids[kind]]}}, headers=staff()
    )

    # then: the organization inserted before the carrier was looked up is rolled back with it
    result = body["data"]["createOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "NotFoundError",
        "NOT_FOUND",
        "carrierIds[0]",
    )
    assert await organization_count(conn) == count
    assert await activity_rows(conn) == []


async def test_create_organization_with_a_taken_name_is_a_conflict(
    graphql: GraphQL, conn: Connection
) -> None:
    await factories.organization(conn, "Taken Group")
    count = await organization_count(conn)
    body = await graphql(CREATE_ORGANIZATION, {"input": {"name": "TAKEN group"}}, headers=staff())
    assert body["data"]["createOrganization"] == {
        "__typename": "ConflictError",
        "message": "An organization named 'TAKEN group' already exists.",
        "code": "CONFLICT",
        "field": "name",
        "currentVersion": None,
    }
    assert await organization_count(conn) == count
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_create_organization_refuses_a_bad_name(graphql: GraphQL, conn: Connection, name: str) -> None:
    count = await organization_count(conn)
    body = await graphql(CREATE_ORGANIZATION, {"input": {"name": name}}, headers=staff())
    result = body["data"]["createOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "name",
    )
    assert await organization_count(conn) == count
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("name", ["Line\nBreak Group", "Tab\tGroup"])
async def test_create_organization_refuses_a_line_break_or_tab_in_the_name(
    graphql: GraphQL, conn: Connection, name: str
) -> None:
    # An organization's name is one line in the picker: a newline or tab is a control character in it.
    count = await organization_count(conn)
    body = await graphql(CREATE_ORGANIZATION, {"input": {"name": name}}, headers=staff())
    result = body["data"]["createOrganization"]
    assert await organization_count(conn) == count
    assert (result["__typename"], result["field"]) == ("ValidationError", "name")


# renameOrganization


async def test_rename_organization_renames_it_and_increments_its_version(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    organization_id = await factories.organization(conn, "Old Group")

    # when
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": "New Group", "expectedVersion": 1}},
        headers=staff("req-rename"),
    )

    # then
    result = body["data"]["renameOrganization"]
    assert result["__typename"] == "OrganizationPayload"
    assert {k: result["organization"][k] for k in ("id", "name", "version")} == {
        "id": org_gid(organization_id),
        "name": "New Group",
        "version": 2,
    }
    assert (result["carriers"], result["effectiveChanges"]) == ([], [])
    row = await organization_row(conn, organization_id)
    assert row is not None
    assert (row["name"], row["version"]) == ("New Group", 2)
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-rename")
    assert event["action"] == "organization.rename"
    assert (event["target_type"], event["target_id"], event["organization_id"]) == (
        "Organization",
        organization_id,
        organization_id,
    )
    assert event["before"] == {"name": "Old Group", "version": 1}
    assert event["after"] == {"name": "New Group", "version": 2}


async def test_rename_organization_may_change_only_the_case(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn, "Case Group")
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": "CASE GROUP"}},
        headers=staff(),
    )
    assert body["data"]["renameOrganization"]["organization"]["name"] == "CASE GROUP"
    assert len(await activity_rows(conn, "organization.rename")) == 1


async def test_rename_organization_to_the_same_name_is_a_no_op(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn, "Steady Group")
    before = await organization_row(conn, organization_id)
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": " Steady Group ", "expectedVersion": 1}},
        headers=staff(),
    )
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["organization"]["version"]) == ("OrganizationPayload", 1)
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


async def test_rename_organization_to_a_taken_name_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    await factories.organization(conn, "Occupied Group")
    organization_id = await factories.organization(conn, "Mine Group")
    before = await organization_row(conn, organization_id)
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": "occupied GROUP"}},
        headers=staff(),
    )
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["code"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "CONFLICT",
        "name",
        None,
    )
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


async def test_rename_organization_with_a_stale_version_is_a_conflict(
    graphql: GraphQL, conn: Connection
) -> None:
    organization_id = await factories.organization(conn, "Busy Group")
    await conn.execute("update organizations set version = 4 where id = $1", organization_id)
    before = await organization_row(conn, organization_id)
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": "Mine", "expectedVersion": 3}},
        headers=staff(),
    )
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "expectedVersion",
        4,
    )
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_rename_organization_refuses_a_bad_name(graphql: GraphQL, conn: Connection, name: str) -> None:
    organization_id = await factories.organization(conn, "Valid Group")
    before = await organization_row(conn, organization_id)
    body = await graphql(
        RENAME_ORGANIZATION, {"input": {"id": org_gid(organization_id), "name": name}}, headers=staff()
    )
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "name")
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


async def test_rename_organization_refuses_expected_version_zero(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn, "Zero Group")
    before = await organization_row(conn, organization_id)
    body = await graphql(
        RENAME_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "name": "Other", "expectedVersion": 0}},
        headers=staff(),
    )
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "carrier", "missing"])
async def test_rename_organization_of_an_unknown_id_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    carrier_id = await factories.carrier(conn)
    ids = {
        "garbage": "%%%",
        "carrier": to_global_id("Carrier", carrier_id),
        "missing": org_gid(uuid.uuid4()),
    }
    body = await graphql(RENAME_ORGANIZATION, {"input": {"id": ids[kind], "name": "Ghost"}}, headers=staff())
    result = body["data"]["renameOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == ("NotFoundError", "NOT_FOUND", "id")
    assert await conn.fetchval("select count(*) from organizations where name = 'Ghost'") == 0
    assert await activity_rows(conn) == []


# deleteOrganization


async def test_delete_organization_deletes_an_empty_one(graphql: GraphQL, conn: Connection) -> None:
    # given: an organization with a setting of its own
    organization_id = await factories.organization(conn, "Doomed Group")
    await factories.set_organization_enablement(conn, organization_id, await factories.feature(conn), True)

    # when
    body = await graphql(
        DELETE_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "expectedVersion": 1}},
        headers=staff("req-delete"),
    )

    # then
    assert body["data"]["deleteOrganization"] == {
        "__typename": "DeleteOrganizationPayload",
        "deletedOrganizationId": org_gid(organization_id),
        "name": "Doomed Group",
    }
    assert await organization_row(conn, organization_id) is None
    assert (
        await conn.fetchval(
            "select count(*) from organization_enablements where organization_id = $1", organization_id
        )
        == 0
    )
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-delete")
    assert event["action"] == "organization.delete"
    assert (event["target_type"], event["target_id"], event["organization_id"]) == (
        "Organization",
        organization_id,
        organization_id,
    )
    assert (event["before"], event["after"]) == ({"name": "Doomed Group", "version": 1}, None)


async def test_delete_organization_with_carriers_is_refused(graphql: GraphQL, conn: Connection) -> None:
    # given
    organization_id = await factories.organization(conn, "Busy Group")
    await factories.carrier(conn, organization_id=organization_id)
    await factories.carrier(conn, organization_id=organization_id)
    before = await organization_row(conn, organization_id)

    # when
    body = await graphql(DELETE_ORGANIZATION, {"input": {"id": org_gid(organization_id)}}, headers=staff())

    # then
    assert body["data"]["deleteOrganization"] == {
        "__typename": "OrganizationNotEmptyError",
        "message": "Busy Group still has 2 carrier(s); detach or move them first.",
        "code": "ORGANIZATION_NOT_EMPTY",
        "field": "id",
        "carrierCount": 2,
    }
    assert await organization_row(conn, organization_id) == before
    assert await activity_rows(conn) == []


async def test_delete_organization_with_a_stale_version_is_a_conflict(
    graphql: GraphQL, conn: Connection
) -> None:
    organization_id = await factories.organization(conn)
    await conn.execute("update organizations set version = 2 where id = $1", organization_id)
    body = await graphql(
        DELETE_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "expectedVersion": 1}},
        headers=staff(),
    )
    result = body["data"]["deleteOrganization"]
    assert (result["__typename"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "expectedVersion",
        2,
    )
    assert await organization_row(conn, organization_id) is not None
    assert await activity_rows(conn) == []


async def test_delete_organization_refuses_expected_version_zero(graphql: GraphQL, conn: Connection) -> None:
    organization_id = await factories.organization(conn)
    body = await graphql(
        DELETE_ORGANIZATION,
        {"input": {"id": org_gid(organization_id), "expectedVersion": 0}},
        headers=staff(),
    )
    result = body["data"]["deleteOrganization"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert await organization_row(conn, organization_id) is not None
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "carrier", "missing"])
async def test_delete_organization_of_an_unknown_id_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn)
    ids = {
        "garbage": "garbage",
        # a Carrier id whose uuid is an existing organization's: the type still has to match
        "carrier": to_global_id("Carrier", organization_id),
        "missing": org_gid(uuid.uuid4()),
    }
    body = await graphql(DELETE_ORGANIZATION, {"input": {"id": ids[kind]}}, headers=staff())
    result = body["data"]["deleteOrganization"]
    assert (result["__typename"], result["code"], result["field"]) == ("NotFoundError", "NOT_FOUND", "id")
    assert await organization_row(conn, organization_id) is not None
    assert await conn.fetchval("select count(*) from carriers where id = $1", carrier_id) == 1
    assert await activity_rows(conn) == []
