"""createCarrier and updateCarrier: payloads, typed errors, versions, and the activity log."""

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

CREATE_CARRIER = """
mutation CreateCarrier($input: CreateCarrierInput!) {
  createCarrier(input: $input) {
    __typename
    ... on CarrierPayload { carrier { id code name version organization { id } } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""

UPDATE_CARRIER = """
mutation UpdateCarrier($input: UpdateCarrierInput!) {
  updateCarrier(input: $input) {
    __typename
    ... on CarrierPayload { carrier { id code name version } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""

# Names that must be refused: empty, blank, too long (201), and with control characters.
BAD_NAMES = ["", "   ", "x" * 201, "Bell\x07Railroad", "Nul\x00Railroad", "Esc\x1b[31mRailroad"]
BAD_CODES = ["1AB", "A", "TOOLONGCODE1", "", "  ", "AB-1", "AB C", "ÄBC", "A_B"]


def staff(request_id: str | None = None) -> dict[str, str]:
    headers = bearer(staff_token())
    if request_id:
        headers["X-Request-Id"] = request_id
    return headers


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
    assert row["outcome"] == "succeeded"
    assert row["request_id"] == request_id
    assert row["address"] == "127.0.0.1"


# createCarrier


async def test_create_carrier_returns_the_new_carrier_and_records_it(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    code = factories.unique_code("N")

    # when: lower case and surrounding spaces are normalised
    body = await graphql(
        CREATE_CARRIER,
        {"input": {"code": f"  {code.lower()} ", "name": "  Northern Plains Rail  "}},
        headers=staff("req-create-carrier"),
    )

    # then
    result = body["data"]["createCarrier"]
    assert result["__typename"] == "CarrierPayload"
    carrier = result["carrier"]
    assert {k: carrier[k] for k in ("code", "name", "version", "organization")} == {
        "code": code,
        "name": "Northern Plains Rail",
        "version": 1,
        "organization": None,
    }
    row = await conn.fetchrow("select * from carriers where code = $1", code)
    assert row is not None
    assert carrier["id"] == to_global_id("Carrier", row["id"])
    assert (row["name"], row["organization_id"], row["version"]) == ("Northern Plains Rail", None, 1)
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-create-carrier")
    assert event["action"] == "carrier.create"
    assert (event["target_type"], event["target_id"], event["carrier_id"]) == (
        "Carrier",
        row["id"],
        row["id"],
    )
    assert event["before"] is None
    assert event["after"] == {
        "code": code,
        "name": "Northern Plains Rail",
        "organizationId": None,
        "version": 1,
    }
    assert event["reason"] is None


async def test_create_carrier_accepts_a_name_of_200_characters(graphql: GraphQL) -> None:
    body = await graphql(
        CREATE_CARRIER, {"input": {"code": factories.unique_code(), "name": "n" * 200}}, headers=staff()
    )
    assert body["data"]["createCarrier"]["carrier"]["name"] == "n" * 200


async def test_create_carrier_with_a_taken_code_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    # given
    code = factories.unique_code()
    await factories.carrier(conn, code, name="First Railroad")

    # when: the same code in lower case
    body = await graphql(CREATE_CARRIER, {"input": {"code": code.lower(), "name": "Second"}}, headers=staff())

    # then
    assert body["data"]["createCarrier"] == {
        "__typename": "ConflictError",
        "message": f"A carrier with code {code} already exists.",
        "code": "CONFLICT",
        "field": "code",
        "currentVersion": None,
    }
    assert await conn.fetchval("select count(*) from carriers where upper(code) = $1", code) == 1
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("code", BAD_CODES)
async def test_create_carrier_refuses_a_malformed_code(graphql: GraphQL, conn: Connection, code: str) -> None:
    count_before = await conn.fetchval("select count(*) from carriers")
    body = await graphql(CREATE_CARRIER, {"input": {"code": code, "name": "Some Railroad"}}, headers=staff())
    result = body["data"]["createCarrier"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "code",
    )
    assert "2 to 10 letters and digits" in result["message"]
    assert await conn.fetchval("select count(*) from carriers") == count_before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_create_carrier_refuses_a_bad_name(graphql: GraphQL, conn: Connection, name: str) -> None:
    code = factories.unique_code()
    body = await graphql(CREATE_CARRIER, {"input": {"code": code, "name": name}}, headers=staff())
    result = body["data"]["createCarrier"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "name",
    )
    assert await conn.fetchval("select count(*) from carriers where code = $1", code) == 0
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("code", ["AB", "A123456789", "z9"])
async def test_create_carrier_accepts_codes_at_the_limits(
    graphql: GraphQL, conn: Connection, code: str
) -> None:
    body = await graphql(CREATE_CARRIER, {"input": {"code": code, "name": "Edge Railroad"}}, headers=staff())
    assert body["data"]["createCarrier"]["carrier"]["code"] == code.upper()
    assert len(await activity_rows(conn, "carrier.create")) == 1


@pytest.mark.parametrize("name", ["Line\nBreak Railroad", "Tab\tRailroad"])
async def test_create_carrier_refuses_a_line_break_or_tab_in_the_name(
    graphql: GraphQL, conn: Connection, name: str
) -> None:
    # A carrier's name is one line of display text: a newline or tab is a control character in it.
    code = factories.unique_code()
    body = await graphql(CREATE_CARRIER, {"input": {"code": code, "name": name}}, headers=staff())
    result = body["data"]["createCarrier"]
    assert await conn.fetchval("select count(*) from carriers where code = $1", code) == 0
    assert (result["__typename"], result["field"]) == ("ValidationError", "name")


# updateCarrier


async def test_update_carrier_renames_it_and_increments_its_version(
    graphql: GraphQL, conn: Connection
) -> None:
    # given
    organization_id = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, name="Old Name", organization_id=organization_id)
    before = await carrier_row(conn, carrier_id)

    # when
    body = await graphql(
        UPDATE_CARRIER,
        {"input": {"id": to_global_id("Carrier", carrier_id), "name": " New Name ", "expectedVersion": 1}},
        headers=staff("req-update-carrier"),
    )

    # then
    result = body["data"]["updateCarrier"]
    assert result == {
        "__typename": "CarrierPayload",
        "carrier": {
            "id": to_global_id("Carrier", carrier_id),
            "code": before["code"],
            "name": "New Name",
            "version": 2,
        },
    }
    after = await carrier_row(conn, carrier_id)
    assert (after["name"], after["version"], after["code"]) == ("New Name", 2, before["code"])
    (event,) = await activity_rows(conn)
    assert_recorded_by_staff(event, "req-update-carrier")
    assert event["action"] == "carrier.update"
    assert (event["target_type"], event["target_id"], event["carrier_id"], event["organization_id"]) == (
        "Carrier",
        carrier_id,
        carrier_id,
        organization_id,
    )
    snapshot = {"code": before["code"], "organizationId": to_global_id("Organization", organization_id)}
    assert event["before"] == {**snapshot, "name": "Old Name", "version": 1}
    assert event["after"] == {**snapshot, "name": "New Name", "version": 2}


async def test_update_carrier_without_expected_version_applies_to_any_version(
    graphql: GraphQL, conn: Connection
) -> None:
    carrier_id = await factories.carrier(conn, name="Old Name")
    await conn.execute("update carriers set version = 7 where id = $1", carrier_id)
    body = await graphql(
        UPDATE_CARRIER,
        {"input": {"id": to_global_id("Carrier", carrier_id), "name": "Newer"}},
        headers=staff(),
    )
    assert body["data"]["updateCarrier"]["carrier"]["version"] == 8


async def test_update_carrier_to_the_same_name_is_a_no_op(graphql: GraphQL, conn: Connection) -> None:
    # given
    carrier_id = await factories.carrier(conn, name="Same Name")
    before = await carrier_row(conn, carrier_id)

    # when: the same name, with spaces that are trimmed anyway
    body = await graphql(
        UPDATE_CARRIER,
        {"input": {"id": to_global_id("Carrier", carrier_id), "name": "  Same Name ", "expectedVersion": 1}},
        headers=staff(),
    )

    # then
    assert body["data"]["updateCarrier"]["carrier"]["version"] == 1
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


async def test_update_carrier_with_a_stale_version_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    # given: someone else renamed it twice
    carrier_id = await factories.carrier(conn, name="Old Name")
    await conn.execute("update carriers set version = 3 where id = $1", carrier_id)
    before = await carrier_row(conn, carrier_id)

    # when
    body = await graphql(
        UPDATE_CARRIER,
        {"input": {"id": to_global_id("Carrier", carrier_id), "name": "Mine", "expectedVersion": 1}},
        headers=staff(),
    )

    # then
    result = body["data"]["updateCarrier"]
    assert result["__typename"] == "ConflictError"
    assert (result["code"], result["field"], result["currentVersion"]) == ("CONFLICT", "expectedVersion", 3)
    assert "version 3" in result["message"]
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("version", [0, -1])
async def test_update_carrier_refuses_a_non_positive_expected_version(
    graphql: GraphQL, conn: Connection, version: int
) -> None:
    carrier_id = await factories.carrier(conn, name="Old Name")
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        UPDATE_CARRIER,
        {"input": {"id": to_global_id("Carrier", carrier_id), "name": "New", "expectedVersion": version}},
        headers=staff(),
    )
    result = body["data"]["updateCarrier"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_update_carrier_refuses_a_bad_name(graphql: GraphQL, conn: Connection, name: str) -> None:
    carrier_id = await factories.carrier(conn, name="Old Name")
    before = await carrier_row(conn, carrier_id)
    body = await graphql(
        UPDATE_CARRIER, {"input": {"id": to_global_id("Carrier", carrier_id), "name": name}}, headers=staff()
    )
    result = body["data"]["updateCarrier"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "name",
    )
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "organization", "feature", "missing", "empty"])
async def test_update_carrier_of_an_unknown_id_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    # given: a carrier that must stay as it is, and an id that is not a carrier's
    carrier_id = await factories.carrier(conn, name="Old Name")
    before = await carrier_row(conn, carrier_id)
    ids = {
        "garbage": "not-an-id!",
        "organization": to_global_id("Organization", await factories.organization(conn)),
        # the uuid of an existing carrier, under another type name
        "feature": to_global_id("Feature", carrier_id),
        "missing": to_global_id("Carrier", uuid.uuid4()),
        "empty": "",
    }

    # when
    body = await graphql(UPDATE_CARRIER, {"input": {"id": ids[kind], "name": "New"}}, headers=staff())

    # then
    result = body["data"]["updateCarrier"]
    assert (result["__typename"], result["code"], result["field"]) == ("NotFoundError", "NOT_FOUND", "id")
    assert result["message"].startswith("No Carrier with id ")
    assert await carrier_row(conn, carrier_id) == before
    assert await activity_rows(conn) == []
