"""createFeature and updateFeature: the catalogue, and what a new default does to inheriting carriers."""

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

FEATURE_RESULT = """
    __typename
    ... on FeaturePayload {
      feature { id key name description defaultEnabled version }
      effectiveChanges { carrier { code } feature { key } before after source }
    }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
"""

CREATE_FEATURE = f"""
mutation CreateFeature($input: CreateFeatureInput!) {{
  createFeature(input: $input) {{ {FEATURE_RESULT} }}
}}
"""

UPDATE_FEATURE = f"""
mutation UpdateFeature($input: UpdateFeatureInput!) {{
  updateFeature(input: $input) {{ {FEATURE_RESULT} }}
}}
"""

MALFORMED_KEYS = [
    "Billing.Demurrage",
    "billing",
    "billing..x",
    "1billing.x",
    "billing.x-y",
    "b." + "x" * 99,
    "",
]
BAD_NAMES = ["", "   ", "n" * 201, "Tab\x0bName"]


def staff(request_id: str | None = None) -> dict[str, str]:
    headers = bearer(staff_token())
    if request_id:
        headers["X-Request-Id"] = request_id
    return headers


def feature_gid(feature_id: uuid.UUID) -> str:
    return to_global_id("Feature", feature_id)


async def activity_rows(conn: Connection, action: str | None = None) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """select *, host(client_address) as address from activity_log
           where $1::text is null or action = $1 order by occurred_at, id""",
        action,
    )
    return rows


async def feature_row(conn: Connection, feature_id: uuid.UUID) -> dict[str, Any]:
    record = await conn.fetchrow("select * from features where id = $1", feature_id)
    assert record is not None
    return dict(record)


async def feature_count(conn: Connection) -> int:
    count: int = await conn.fetchval("select count(*) from features")
    return count


async def update(graphql: GraphQL, **fields: Any) -> dict[str, Any]:
    body = await graphql(UPDATE_FEATURE, {"input": fields}, headers=staff())
    result: dict[str, Any] = body["data"]["updateFeature"]
    return result


# createFeature


async def test_create_feature_adds_it_to_the_catalogue(graphql: GraphQL, conn: Connection) -> None:
    # when
    body = await graphql(
        CREATE_FEATURE,
        {
            "input": {
                "key": " billing.demurrage ",
                "name": " Demurrage ",
                "description": "Charges for cars held past free time.\nPer day.",
                "defaultEnabled": True,
            }
        },
        headers=staff("req-create-feature"),
    )

    # then
    result = body["data"]["createFeature"]
    row = await conn.fetchrow("select * from features where key = 'billing.demurrage'")
    assert row is not None
    assert result == {
        "__typename": "FeaturePayload",
        "feature": {
            "id": feature_gid(row["id"]),
            "key": "billing.demurrage",
            "name": "Demurrage",
            "description": "Charges for cars held past free time.\nPer day.",
            "defaultEnabled": True,
            "version": 1,
        },
        "effectiveChanges": [],
    }
    assert (row["name"], row["default_enabled"], row["version"]) == ("Demurrage", True, 1)
    (event,) = await activity_rows(conn)
    assert event["action"] == "feature.create"
    assert (event["actor_kind"], event["actor_id"], event["actor_is_staff"], event["outcome"]) == (
        "staff",
        "staff-1",
        True,
        "succeeded",
    )
    assert (event["request_id"], event["address"]) == ("req-create-feature", "127.0.0.1")
    assert (event["target_type"], event["target_id"], event["carrier_id"], event["organization_id"]) == (
        "Feature",
        row["id"],
        None,
        None,
    )
    assert event["before"] is None
    assert event["after"] == {
        "key": "billing.demurrage",
        "name": "Demurrage",
        "description": "Charges for cars held past free time.\nPer day.",
        "defaultEnabled": True,
        "version": 1,
    }


async def test_create_feature_defaults_to_off_without_a_description(graphql: GraphQL) -> None:
    body = await graphql(
        CREATE_FEATURE, {"input": {"key": "test.minimal", "name": "Minimal"}}, headers=staff()
    )
    feature = body["data"]["createFeature"]["feature"]
    assert (feature["description"], feature["defaultEnabled"], feature["version"]) == ("", False, 1)


async def test_create_feature_with_a_taken_key_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    await factories.feature(conn, "test.taken")
    count = await feature_count(conn)
    body = await graphql(CREATE_FEATURE, {"input": {"key": "test.taken", "name": "Again"}}, headers=staff())
    assert body["data"]["createFeature"] == {
        "__typename": "ConflictError",
        "message": "The catalogue already has a feature 'test.taken'.",
        "code": "CONFLICT",
        "field": "key",
        "currentVersion": None,
    }
    assert await feature_count(conn) == count
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("key", MALFORMED_KEYS)
async def test_create_feature_refuses_a_malformed_key(graphql: GraphQL, conn: Connection, key: str) -> None:
    count = await feature_count(conn)
    body = await graphql(CREATE_FEATURE, {"input": {"key": key, "name": "Whatever"}}, headers=staff())
    result = body["data"]["createFeature"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        "key",
    )
    assert await feature_count(conn) == count
    assert await activity_rows(conn) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [*(("name", name) for name in BAD_NAMES), ("description", "d" * 2001), ("description", "ring\x07")],
)
async def test_create_feature_refuses_bad_text(
    graphql: GraphQL, conn: Connection, field: str, value: str
) -> None:
    count = await feature_count(conn)
    fields = {"key": "test.bad_text", "name": "Fine", field: value}
    body = await graphql(CREATE_FEATURE, {"input": fields}, headers=staff())
    result = body["data"]["createFeature"]
    assert (result["__typename"], result["field"]) == ("ValidationError", field)
    assert await feature_count(conn) == count
    assert await activity_rows(conn) == []


# updateFeature


async def test_update_feature_changes_the_given_fields_only(graphql: GraphQL, conn: Connection) -> None:
    # given
    feature_id = await factories.feature(conn, "test.renamed", default=False)
    await conn.execute("update features set description = 'Old text' where id = $1", feature_id)

    # when: only the name
    body = await graphql(
        UPDATE_FEATURE,
        {"input": {"id": feature_gid(feature_id), "name": "New Name", "expectedVersion": 1}},
        headers=staff("req-update-feature"),
    )

    # then
    result = body["data"]["updateFeature"]
    assert result == {
        "__typename": "FeaturePayload",
        "feature": {
            "id": feature_gid(feature_id),
            "key": "test.renamed",
            "name": "New Name",
            "description": "Old text",
            "defaultEnabled": False,
            "version": 2,
        },
        "effectiveChanges": [],
    }
    row = await feature_row(conn, feature_id)
    assert (row["name"], row["description"], row["default_enabled"], row["version"]) == (
        "New Name",
        "Old text",
        False,
        2,
    )
    (event,) = await activity_rows(conn)
    assert event["action"] == "feature.update"
    assert (event["target_type"], event["target_id"], event["request_id"]) == (
        "Feature",
        feature_id,
        "req-update-feature",
    )
    common = {"key": "test.renamed", "description": "Old text", "defaultEnabled": False}
    assert event["before"] == {**common, "name": "Renamed", "version": 1}
    assert event["after"] == {**common, "name": "New Name", "version": 2, "effectiveChanges": []}


async def test_update_feature_default_reaches_only_carriers_that_inherit_it(
    graphql: GraphQL, conn: Connection
) -> None:
    # given: four carriers: one follows the default, one overrides, one's organization decides,
    # one is in an organization that has no setting
    follows = factories.unique_code("D")
    follows_id = await factories.carrier(conn, follows)
    overrides_id = await factories.carrier(conn)
    deciding = await factories.organization(conn)
    await factories.carrier(conn, organization_id=deciding)
    silent = await factories.organization(conn)
    in_silent = factories.unique_code("S")
    in_silent_id = await factories.carrier(conn, in_silent, organization_id=silent)
    feature_id = await factories.feature(conn, "test.new_default", default=False)
    await factories.set_carrier_enablement(conn, overrides_id, feature_id, False)
    await factories.set_organization_enablement(conn, deciding, feature_id, False)

    # when
    result = await update(graphql, id=feature_gid(feature_id), defaultEnabled=True)

    # then
    assert result["feature"]["defaultEnabled"] is True
    assert result["feature"]["version"] == 2
    assert sorted(result["effectiveChanges"], key=lambda c: str(c["carrier"]["code"])) == [
        {
            "carrier": {"code": follows},
            "feature": {"key": "test.new_default"},
            "before": False,
            "after": True,
            "source": "DEFAULT",
        },
        {
            "carrier": {"code": in_silent},
            "feature": {"key": "test.new_default"},
            "before": False,
            "after": True,
            "source": "DEFAULT",
        },
    ]
    (event,) = await activity_rows(conn)
    assert sorted(event["after"]["effectiveChanges"], key=lambda c: str(c["carrierId"])) == sorted(
        [
            {
                "carrierId": to_global_id("Carrier", follows_id),
                "featureId": to_global_id("Feature", feature_id),
                "before": False,
                "after": True,
            },
            {
                "carrierId": to_global_id("Carrier", in_silent_id),
                "featureId": to_global_id("Feature", feature_id),
                "before": False,
                "after": True,
            },
        ],
        key=lambda c: str(c["carrierId"]),
    )
    assert (event["before"]["defaultEnabled"], event["after"]["defaultEnabled"]) == (False, True)


async def test_update_feature_without_changes_is_a_no_op(graphql: GraphQL, conn: Connection) -> None:
    # given
    feature_id = await factories.feature(conn, "test.unchanged", default=True)
    before = await feature_row(conn, feature_id)

    # when: the values it already has
    result = await update(
        graphql, id=feature_gid(feature_id), name="Unchanged", defaultEnabled=True, expectedVersion=1
    )

    # then: it succeeds, but nothing changed: no new version, nothing to record
    assert result["__typename"] == "FeaturePayload"
    assert result["effectiveChanges"] == []
    assert await activity_rows(conn) == []
    assert result["feature"]["version"] == 1
    assert await feature_row(conn, feature_id) == before


async def test_update_feature_with_a_stale_version_is_a_conflict(graphql: GraphQL, conn: Connection) -> None:
    feature_id = await factories.feature(conn, "test.stale")
    await conn.execute("update features set version = 6 where id = $1", feature_id)
    before = await feature_row(conn, feature_id)
    result = await update(graphql, id=feature_gid(feature_id), name="Mine", expectedVersion=5)
    assert (result["__typename"], result["code"], result["field"], result["currentVersion"]) == (
        "ConflictError",
        "CONFLICT",
        "expectedVersion",
        6,
    )
    assert await feature_row(conn, feature_id) == before
    assert await activity_rows(conn) == []


async def test_update_feature_refuses_expected_version_zero(graphql: GraphQL, conn: Connection) -> None:
    feature_id = await factories.feature(conn, "test.zero")
    before = await feature_row(conn, feature_id)
    result = await update(graphql, id=feature_gid(feature_id), defaultEnabled=True, expectedVersion=0)
    assert (result["__typename"], result["field"]) == ("ValidationError", "expectedVersion")
    assert await feature_row(conn, feature_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [*(("name", name) for name in BAD_NAMES), ("description", "d" * 2001), ("description", "nul\x00")],
)
async def test_update_feature_refuses_bad_text(
    graphql: GraphQL, conn: Connection, field: str, value: str
) -> None:
    feature_id = await factories.feature(conn, "test.text")
    before = await feature_row(conn, feature_id)
    result = await update(graphql, id=feature_gid(feature_id), **{field: value})
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "BAD_USER_INPUT",
        field,
    )
    assert await feature_row(conn, feature_id) == before
    assert await activity_rows(conn) == []


@pytest.mark.parametrize("kind", ["garbage", "wrong type", "missing"])
async def test_update_feature_of_an_unknown_id_is_not_found(
    graphql: GraphQL, conn: Connection, kind: str
) -> None:
    feature_id = await factories.feature(conn, "test.target")
    before = await feature_row(conn, feature_id)
    ids = {
        "garbage": "RmVhdHVyZQ",  # base64 of "Feature", without a uuid or padding
        "wrong type": to_global_id("Carrier", feature_id),
        "missing": feature_gid(uuid.uuid4()),
    }
    result = await update(graphql, id=ids[kind], defaultEnabled=True)
    assert (result["__typename"], result["code"], result["field"]) == ("NotFoundError", "NOT_FOUND", "id")
    assert await feature_row(conn, feature_id) == before
    assert await activity_rows(conn) == []
