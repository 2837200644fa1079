"""Every mutation is for platform staff only; and the activity log cannot be rewritten."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from access import keyformat
from db.pool import Connection
from resolvers.global_ids import to_global_id
from schema.enforcement import RESTRICTED_MESSAGE
from tests import factories
from tests.conftest import GraphQL
from tests.factories import admin_token, bearer, staff_token

ALL_SCOPES = ("carrier:read", "enablements:read", "keys:read", "keys:write", "activity:read")
# What must not change when a refused mutation is attempted (api_keys is left out: using a key stamps it).
WATCHED_TABLES = ("organizations", "carriers", "features", "carrier_enablements", "organization_enablements")


@dataclass(frozen=True)
class World:
    """An administered organization with its carrier, another organization, a carrier in none, a feature."""

    organization_id: uuid.UUID
    carrier_id: uuid.UUID
    carrier_code: str
    other_organization_id: uuid.UUID
    free_carrier_id: uuid.UUID
    feature_id: uuid.UUID
    feature_key: str

    def org(self, organization_id: uuid.UUID | None = None) -> str:
        return to_global_id("Organization", organization_id or self.organization_id)

    def carrier(self, carrier_id: uuid.UUID | None = None) -> str:
        return to_global_id("Carrier", carrier_id or self.carrier_id)


@dataclass(frozen=True)
class Case:
    field: str
    input_type: str
    reason: str
    make_input: Callable[[World], dict[str, Any]]

    @property
    def document(self) -> str:
        return (
            f"mutation Attempt($input: {self.input_type}!) {{ {self.field}(input: $input) {{ __typename }} }}"
        )


STRUCTURE = "organization structure"
CASES = [
    Case(
        "createCarrier", "CreateCarrierInput", STRUCTURE, lambda w: {"code": "ZZNEW1", "name": "New Railroad"}
    ),
    Case("updateCarrier", "UpdateCarrierInput", STRUCTURE, lambda w: {"id": w.carrier(), "name": "Renamed"}),
    Case(
        "createOrganization",
        "CreateOrganizationInput",
        STRUCTURE,
        lambda w: {"name": "Sneaky Group", "carrierIds": [w.carrier(w.free_carrier_id)]},
    ),
    Case(
        "attachCarrierToOrganization",
        "AttachCarrierInput",
        STRUCTURE,
        lambda w: {"carrierId": w.carrier(w.free_carrier_id), "organizationId": w.org()},
    ),
    Case(
        "moveCarrierToOrganization",
        "MoveCarrierInput",
        STRUCTURE,
        lambda w: {
            "carrierId": w.carrier(),
            "fromOrganizationId": w.org(),
            "toOrganizationId": w.org(w.other_organization_id),
        },
    ),
    Case(
        "detachCarrierFromOrganization", "DetachCarrierInput", STRUCTURE, lambda w: {"carrierId": w.carrier()}
    ),
    Case(
        "renameOrganization",
        "RenameOrganizationInput",
        STRUCTURE,
        lambda w: {"id": w.org(), "name": "Mine Now"},
    ),
    Case(
        "deleteOrganization",
        "DeleteOrganizationInput",
        STRUCTURE,
        lambda w: {"id": w.org(w.other_organization_id)},
    ),
    Case(
        "setCarrierEnablement",
        "SetCarrierEnablementInput",
        "feature enablements",
        lambda w: {
            "carrierId": w.carrier(),
            "featureKey": w.feature_key,
            "state": "ENABLED",
            "reason": "please",
        },
    ),
    Case(
        "setOrganizationEnablement",
        "SetOrganizationEnablementInput",
        "feature enablements",
        lambda w: {
            "organizationId": w.org(),
            "featureKey": w.feature_key,
            "state": "ENABLED",
            "reason": "please",
        },
    ),
    Case(
        "createFeature",
        "CreateFeatureInput",
        "feature catalogue",
        lambda w: {"key": "test.sneaky", "name": "Sneaky", "defaultEnabled": True},
    ),
    Case(
        "updateFeature",
        "UpdateFeatureInput",
        "feature catalogue",
        lambda w: {"id": to_global_id("Feature", w.feature_id), "defaultEnabled": True},
    ),
]


@pytest.fixture
async def world(conn: Connection) -> World:
    organization_id = await factories.organization(conn, "Administered Group")
    code = factories.unique_code("W")
    carrier_id = await factories.carrier(conn, code, organization_id=organization_id)
    return World(
        organization_id=organization_id,
        carrier_id=carrier_id,
        carrier_code=code,
        other_organization_id=await factories.organization(conn, "Other Group"),
        free_carrier_id=await factories.carrier(conn),
        feature_id=await factories.feature(conn, "test.restricted", default=False),
        feature_key="test.restricted",
    )


async def api_key_with_every_scope(conn: Connection, carrier_id: uuid.UUID) -> tuple[uuid.UUID, str]:
    """(key id, secret). Not factories.api_key: PostgreSQL deduces two types for its created_at parameter."""
    issued = keyformat.generate("test")
    key_id: uuid.UUID = await conn.fetchval(
        """insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                                 created_by_kind, created_by_id)
           values ($1, 'Every scope', $2, $3, 'test', $4, 'system', 'test') returning id""",
        carrier_id,
        issued.secret_hash,
        issued.hint,
        list(ALL_SCOPES),
    )
    return key_id, issued.secret


async def snapshot(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in WATCHED_TABLES:
        records = await conn.fetch(f"select * from {table}")  # noqa: S608 - fixed table names
        tables[table] = sorted((dict(r) for r in records), key=repr)
    return tables


@pytest.mark.parametrize("caller", ["admin", "api_key"])
@pytest.mark.parametrize("case", CASES, ids=[c.field for c in CASES])
async def test_non_staff_callers_are_refused_every_mutation(
    graphql: GraphQL, conn: Connection, world: World, case: Case, caller: str
) -> None:
    # given: the carrier's own administrator, or its API key with every scope
    if caller == "admin":
        credential = admin_token(carriers=[world.carrier_code], organizations=[world.organization_id])
        actor_kind, actor_id, key_carrier = "admin", "admin-1", None
    else:
        key_id, credential = await api_key_with_every_scope(conn, world.carrier_id)
        actor_kind, actor_id, key_carrier = "api_key", str(key_id), world.carrier_id
    before = await snapshot(conn)

    # when
    body = await graphql(
        case.document,
        {"input": case.make_input(world)},
        headers={**bearer(credential), "X-Request-Id": f"req-refused-{case.field}"},
    )

    # then: a FORBIDDEN field error, the banner's warning, and nothing else
    coordinate = f"Mutation.{case.field}"
    assert body["data"] == {case.field: None}
    (error,) = body["errors"]
    assert error["message"] == RESTRICTED_MESSAGE
    assert error["path"] == [case.field]
    assert error["extensions"] == {"code": "FORBIDDEN", "restricted": True, "field": coordinate}
    assert body["extensions"]["warnings"] == [
        {"code": "RESTRICTED_FUNCTION", "field": coordinate, "message": RESTRICTED_MESSAGE}
    ]
    assert await snapshot(conn) == before
    # and the attempt is on record
    (event,) = await conn.fetch("select *, host(client_address) as address from activity_log")
    assert event["action"] == f"mutation.{case.field}"
    assert event["outcome"] == "refused"
    assert (event["actor_kind"], event["actor_id"], event["actor_is_staff"]) == (actor_kind, actor_id, False)
    assert event["reason"] == f"restricted function: {case.reason}"
    assert (event["request_id"], event["address"]) == (f"req-refused-{case.field}", "127.0.0.1")
    # under the carrier the call named when the caller reaches it (its log shows the attempt), else
    # under the calling key's carrier
    named = case.make_input(world).get("carrierId")
    reached = named == world.carrier()
    assert event["carrier_id"] == (world.carrier_id if reached else key_carrier)
    assert (event["target_type"], event["target_id"], event["before"]) == (None, None, None)
    assert event["after"] == {"refusedFields": [{"field": f"Mutation.{case.field}", "times": 1}]}


async def test_two_refused_mutations_in_one_request_give_one_warning_each_and_one_record(
    graphql: GraphQL, conn: Connection, world: World
) -> None:
    # given
    document = """
    mutation Both($a: RenameOrganizationInput!, $b: DetachCarrierInput!) {
      renameOrganization(input: $a) { __typename }
      detachCarrierFromOrganization(input: $b) { __typename }
    }
    """
    credential = admin_token(carriers=[world.carrier_code])
    before = await snapshot(conn)

    # when
    body = await graphql(
        document,
        {"a": {"id": world.org(), "name": "Mine"}, "b": {"carrierId": world.carrier()}},
        headers=bearer(credential),
    )

    # then
    assert body["data"] == {"renameOrganization": None, "detachCarrierFromOrganization": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN", "FORBIDDEN"]
    assert [w["field"] for w in body["extensions"]["warnings"]] == [
        "Mutation.renameOrganization",
        "Mutation.detachCarrierFromOrganization",
    ]
    assert await snapshot(conn) == before
    rows = await conn.fetch("select action, after from activity_log order by occurred_at")
    assert [(r["action"], r["after"]) for r in rows] == [
        (
            "mutation.renameOrganization",
            {
                "refusedFields": [
                    {"field": "Mutation.renameOrganization", "times": 1},
                    {"field": "Mutation.detachCarrierFromOrganization", "times": 1},
                ]
            },
        )
    ]


# The activity log is append-only, whoever connects.


async def recorded_event(conn: Connection) -> uuid.UUID:
    event_id: uuid.UUID = await conn.fetchval(
        """insert into activity_log (actor_kind, actor_id, actor_is_staff, action, reason)
           values ('system', 'test', true, 'test.append', 'original') returning id"""
    )
    return event_id


@pytest.mark.parametrize(
    "statement",
    [
        "update activity_log set reason = 'rewritten'",
        "update activity_log set outcome = 'refused' where action = 'test.append'",
        "delete from activity_log",
        "delete from activity_log where action = 'test.append'",
        "truncate activity_log",
    ],
)
async def test_the_activity_log_cannot_be_changed(conn: Connection, statement: str) -> None:
    # given
    event_id = await recorded_event(conn)

    # when / then: refused, inside a savepoint so the test's transaction carries on
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
        async with conn.transaction():
            await conn.execute(statement)
    row = await conn.fetchrow("select reason, outcome from activity_log where id = $1", event_id)
    assert row is not None
    assert (row["reason"], row["outcome"]) == ("original", "succeeded")


async def test_the_activity_log_still_takes_new_rows(conn: Connection) -> None:
    await recorded_event(conn)
    await recorded_event(conn)
    assert await conn.fetchval("select count(*) from activity_log where action = 'test.append'") == 2


async def test_a_refused_call_is_in_the_named_carriers_log_for_whoever_sees_it(
    graphql: GraphQL, conn: Connection, world: World
) -> None:
    admin = bearer(admin_token(carriers=[world.carrier_code]))
    feature = await factories.feature(conn)
    key = await conn.fetchval("select key from features where id = $1", feature)
    refused = await graphql(
        """mutation ($c: ID!, $f: String!) { setCarrierEnablement(input: {carrierId: $c, featureKey: $f,
           state: ENABLED, reason: "please"}) { __typename } }""",
        {"c": world.carrier(), "f": key},
        headers=admin,
    )
    assert refused["errors"][0]["extensions"]["restricted"] is True

    log = """query ($c: ID!) { activity(carrierId: $c, outcome: REFUSED, first: 5) {
               nodes { action outcome carrier { code } } } }"""
    for headers in (admin, bearer(staff_token())):
        seen = await graphql(log, {"c": world.carrier()}, headers=headers)
        assert seen["data"]["activity"]["nodes"] == [
            {
                "action": "mutation.setCarrierEnablement",
                "outcome": "REFUSED",
                "carrier": {"code": world.carrier_code},
            }
        ]
