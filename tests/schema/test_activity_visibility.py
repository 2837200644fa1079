"""Who sees which events of the activity log: every event type against every kind of caller.

The rule (README, "Activity log"): an event is seen by whoever sees its carrier now, by the
administrators of the organization it was recorded under, and, for an event of an organization itself,
by whoever sees that organization; staff see everything. So whoever can see a target sees all of its
events, and an organization keeps the history of its carriers when one leaves.

The world: organization O holds carriers A and B, organization P holds D, carrier C is in none. Every
kind of change is made through the API, by staff and by the people the tools page serves.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.factories import admin_token, bearer, staff_token

EVENTS = (
    "query Events($carrier: ID) { activity(first: 100, carrierId: $carrier) { nodes { action reason } } }"
)


@dataclass
class World:
    carriers: dict[str, uuid.UUID]
    codes: dict[str, str]
    organizations: dict[str, uuid.UUID]
    key_secret: str

    def gid(self, name: str) -> str:
        if name in self.carriers:
            return str(to_global_id("Carrier", self.carriers[name]))
        return str(to_global_id("Organization", self.organizations[name]))

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "staff":
            return bearer(staff_token())
        if caller.startswith("admin:"):
            which = caller.removeprefix("admin:")
            if which in self.organizations:
                return bearer(
                    admin_token(organizations=[self.organizations[which]], subject=f"admin-{which}")
                )
            return bearer(admin_token(carriers=[self.codes[which]], subject=f"admin-{which}"))
        assert caller == "key:A"
        return bearer(self.key_secret)


async def call(client: TestClient[Any, Any], world: World, caller: str, query: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=world.headers(caller)
    )
    body = await response.json()
    assert response.status == 200, body
    return body


async def build(conn: Connection) -> World:
    organizations = {name: await factories.organization(conn) for name in ("O", "P")}
    codes = {name: factories.unique_code(name) for name in ("A", "B", "C", "D")}
    home = {"A": organizations["O"], "B": organizations["O"], "C": None, "D": organizations["P"]}
    carriers = {
        name: await factories.carrier(conn, codes[name], organization_id=home[name]) for name in codes
    }
    await factories.feature(conn, "visibility.feature")
    _, secret = await factories.api_key(conn, carriers["A"], scopes=("activity:read", "carrier:read"))
    return World(carriers, codes, organizations, secret)


CREATE_KEY = """mutation ($c: ID!, $d: String!) { createApiKey(input: {carrierId: $c, description: $d,
  scopes: [CARRIER_READ]}) { ... on CreateApiKeyPayload { apiKey { id } } } }"""
UPDATE_KEY = 'mutation ($k: ID!) { updateApiKey(input: {id: $k, description: "Renamed"}) { __typename } }'
ROTATE_KEY = (
    "mutation ($k: ID!) { rotateApiKey(input: {id: $k}) { ... on RotateApiKeyPayload { apiKey { id } } } }"
)
REVOKE_KEY = 'mutation ($k: ID!) { revokeApiKey(input: {id: $k, reason: "done"}) { __typename } }'
RENAME_CARRIER = 'mutation ($c: ID!) { updateCarrier(input: {id: $c, name: "Renamed Line"}) { __typename } }'
RENAME_ORG = (
    "mutation ($o: ID!, $n: String!) { renameOrganization(input: {id: $o, name: $n}) { __typename } }"
)
SET_CARRIER = """mutation ($c: ID!) { setCarrierEnablement(input: {carrierId: $c,
  featureKey: "visibility.feature", state: ENABLED, reason: "pilot"}) { __typename } }"""
SET_ORG = """mutation ($o: ID!) { setOrganizationEnablement(input: {organizationId: $o,
  featureKey: "visibility.feature", state: DISABLED, reason: "org pilot"}) { __typename } }"""
RESTRICTED = "{ organizations { totalCount } }"


async def make_every_change(client: TestClient[Any, Any], world: World) -> None:
    """One of each event, by the callers the issue names: a carrier administrator updates and rotates
    a key, the organization's administrator revokes one; staff change structure and settings."""
    for carrier in ("A", "B", "C", "D"):
        made = await call(client, world, "staff", CREATE_KEY, c=world.gid(carrier), d=f"Key of {carrier}")
        key = made["data"]["createApiKey"]["apiKey"]["id"]
        await call(client, world, "staff", RENAME_CARRIER, c=world.gid(carrier))
        await call(client, world, "staff", SET_CARRIER, c=world.gid(carrier))
        if carrier == "A":
            await call(client, world, "admin:A", UPDATE_KEY, k=key)
            rotated = await call(client, world, "admin:A", ROTATE_KEY, k=key)
            replacement = rotated["data"]["rotateApiKey"]["apiKey"]["id"]
            await call(client, world, "admin:O", REVOKE_KEY, k=replacement)
    for organization in ("O", "P"):
        await call(
            client, world, "staff", RENAME_ORG, o=world.gid(organization), n=f"Renamed {uuid.uuid4().hex[:6]}"
        )
        await call(client, world, "staff", SET_ORG, o=world.gid(organization))
    await call(client, world, "key:A", RESTRICTED)  # a refused restricted call, by A's key


def actions(body: Mapping[str, Any]) -> list[str]:
    return sorted(node["action"] for node in body["data"]["activity"]["nodes"])


A_EVENTS = [
    "apiKey.create",
    "apiKey.revoke",
    "apiKey.rotate",
    "apiKey.update",
    "carrier.update",
    "enablement.setForCarrier",
    "query.organizations",
]
CARRIER_EVENTS = ["apiKey.create", "carrier.update", "enablement.setForCarrier"]
ORG_EVENTS = ["enablement.setForOrganization", "organization.rename"]

EXPECTED = {
    "staff": sorted(A_EVENTS + CARRIER_EVENTS * 3 + ORG_EVENTS * 2),
    "admin:A": sorted(A_EVENTS + ORG_EVENTS),
    "admin:O": sorted(A_EVENTS + CARRIER_EVENTS + ORG_EVENTS),
    "admin:C": sorted(CARRIER_EVENTS),
    "key:A": sorted(A_EVENTS + ORG_EVENTS),
}


@pytest.mark.parametrize("caller", list(EXPECTED))
async def test_each_caller_sees_every_event_of_what_it_sees(
    client: TestClient[Any, Any], conn: Connection, caller: str
) -> None:
    world = await build(conn)
    await make_every_change(client, world)

    body = await call(client, world, caller, EVENTS)

    assert actions(body) == EXPECTED[caller]


async def test_the_carrier_and_organization_administrators_see_the_same_key_events(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # The example: the carrier administrator updated and rotated a key, the organization's
    # administrator revoked one: both see all of the carrier's events, their own included.
    world = await build(conn)
    await make_every_change(client, world)

    carrier_admin = await call(client, world, "admin:A", EVENTS, carrier=world.gid("A"))
    organization_admin = await call(client, world, "admin:O", EVENTS, carrier=world.gid("A"))

    assert actions(carrier_admin) == actions(organization_admin) == sorted(A_EVENTS + ORG_EVENTS)


async def test_an_organization_keeps_the_history_of_a_carrier_that_left(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: A's events recorded in O, then A moves to P
    world = await build(conn)
    await make_every_change(client, world)
    move = """mutation ($c: ID!, $f: ID!, $t: ID!) { moveCarrierToOrganization(input: {carrierId: $c,
      fromOrganizationId: $f, toOrganizationId: $t}) { __typename } }"""
    moved = await call(client, world, "staff", move, c=world.gid("A"), f=world.gid("O"), t=world.gid("P"))
    assert moved["data"]["moveCarrierToOrganization"]["__typename"] == "CarrierMembershipPayload"

    # then: O's administrator still sees A's history there, the move included; P's administrator now
    # sees all of A's events (A is theirs to see), but not O's own
    of_o = actions(await call(client, world, "admin:O", EVENTS))
    of_p = actions(await call(client, world, "admin:P", EVENTS))
    assert of_o == sorted(A_EVENTS + CARRIER_EVENTS + ORG_EVENTS + ["carrier.move"])
    assert of_p == sorted(A_EVENTS + CARRIER_EVENTS + ORG_EVENTS + ["carrier.move"])
    assert "apiKey.rotate" in of_p
