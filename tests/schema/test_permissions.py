"""What the caller may do, as the API says it and as it turns out: for every kind of caller and every
state of a carrier that matters (API access off, the key limit reached, in an organization or not), each
operation Carrier.permissions says is refused is refused when tried, and each it allows goes through."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.factories import admin_token, bearer, staff_token

PERMISSIONS = """
query ($c: ID!) {
  viewer { permissions { operation allowed reason } }
  node(id: $c) { ... on Carrier { permissions { operation allowed reason } } }
}
"""
TRIALS = {
    "createApiKey": """mutation ($c: ID!) { createApiKey(input: {carrierId: $c, description: "Trial",
        scopes: [CARRIER_READ]}) { __typename ... on ForbiddenError { rule } } }""",
    "attachCarrierToOrganization": """mutation ($c: ID!, $o: ID!) { attachCarrierToOrganization(input:
        {carrierId: $c, organizationId: $o}) { __typename } }""",
    "detachCarrierFromOrganization": """mutation ($c: ID!) { detachCarrierFromOrganization(input:
        {carrierId: $c}) { __typename } }""",
    "setCarrierEnablement": """mutation ($c: ID!) { setCarrierEnablement(input: {carrierId: $c,
        featureKey: "integrations.api_access", state: ENABLED, reason: "trial"}) { __typename } }""",
    "rotateApiKey": """mutation ($k: ID!) { rotateApiKey(input: {id: $k}) { __typename } }""",
    "rotateApiKeyWithGracePeriod": """mutation ($k: ID!) { rotateApiKey(input: {id: $k,
        gracePeriodSeconds: 3600}) { __typename } }""",
}
REFUSALS = {"ForbiddenError", "LimitReachedError", "AlreadyInOrganizationError", "ValidationError"}


async def ask(client: TestClient[Any, Any], query: str, headers: dict[str, str], **variables: Any) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return await response.json()


async def carrier_in_state(
    conn: Connection, *, api_access: bool, full: bool, in_organization: bool
) -> uuid.UUID:
    organization = await factories.organization(conn) if in_organization else None
    carrier = await factories.carrier(conn, organization_id=organization)
    feature = await conn.fetchval("select id from features where key = 'integrations.api_access'")
    if feature is None:
        feature = await factories.feature(conn, "integrations.api_access", default=True)
    if not api_access:
        await factories.set_carrier_enablement(conn, carrier, feature, False)
    for _ in range(2 if full else 1):  # one to rotate, two to fill the limit of two
        await factories.api_key(conn, carrier)
    return carrier


@pytest.mark.parametrize("caller", ["staff", "admin", "key"])
@pytest.mark.parametrize("api_access", [True, False])
@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("in_organization", [True, False])
async def test_what_the_api_says_is_what_happens(
    make_client: ClientFactory,
    conn: Connection,
    caller: str,
    api_access: bool,
    full: bool,
    in_organization: bool,
) -> None:
    # given: a carrier in that state (the limit is 2 keys, so "full" means two), and the caller
    client = await make_client(max_active_keys_per_carrier=2)
    carrier = await carrier_in_state(conn, api_access=api_access, full=full, in_organization=in_organization)
    code = await conn.fetchval("select code from carriers where id = $1", carrier)
    other = await factories.organization(conn)
    if caller == "key":
        _, secret = await factories.api_key(conn, carrier, scopes=("carrier:read", "keys:write"))
        headers = bearer(secret)
    else:
        headers = bearer(staff_token() if caller == "staff" else admin_token(carriers=[code]))
    gid = str(to_global_id("Carrier", carrier))
    key = to_global_id(
        "ApiKey", await conn.fetchval("select id from api_keys where carrier_id = $1 limit 1", carrier)
    )

    # when: the API says what the caller may do with the carrier
    said = await ask(client, PERMISSIONS, headers, c=gid)
    if "data" not in said:
        # the key itself is refused while its carrier's API access is off: nothing to ask about
        assert (caller, api_access) == ("key", False)
        assert said["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "integrations.api_access" in said["errors"][0]["message"]
        return
    permissions = {p["operation"]: p for p in said["data"]["node"]["permissions"]}

    # then: trying each operation does what was said
    for operation, document in TRIALS.items():
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            organization = str(to_global_id("Organization", other))
            tried = await ask(client, document, headers, c=gid, o=organization, k=key)
        finally:
            await savepoint.rollback()
        field = "rotateApiKey" if operation.startswith("rotateApiKey") else operation
        result = (tried.get("data") or {}).get(field)
        refused = result is None or result["__typename"] in REFUSALS
        assert refused != permissions[operation]["allowed"], (operation, permissions[operation], tried)
        if refused:
            assert permissions[operation]["reason"]


async def test_the_viewer_lists_every_mutation(client: TestClient[Any, Any]) -> None:
    from schema.build import schema

    body = await ask(client, "{ viewer { permissions { operation allowed } } }", bearer(staff_token()))
    operations = {p["operation"] for p in body["data"]["viewer"]["permissions"]}
    mutations = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
    assert mutations <= operations
    assert {"organizations", "exportApiKeys", "exportActivity"} <= operations
    assert all(p["allowed"] for p in body["data"]["viewer"]["permissions"])


async def test_staff_are_told_when_no_more_service_keys_fit(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(max_active_keys_per_carrier=1)
    active = await conn.fetchval(
        "select count(*) from api_keys where carrier_id is null and revoked_at is null and expires_at > now()"
    )
    if active == 0:
        await factories.api_key(conn, None, scopes=("enablements:read",))
    body = await ask(client, "{ viewer { permissions { operation allowed reason } } }", bearer(staff_token()))
    said = {p["operation"]: p for p in body["data"]["viewer"]["permissions"]}["createServiceKey"]
    assert said["allowed"] is False
    assert "service keys" in said["reason"]
    tried = await ask(
        client,
        'mutation { createServiceKey(input: {description: "One more", scopes: [ENABLEMENTS_READ]})'
        " { __typename } }",
        bearer(staff_token()),
    )
    assert tried["data"]["createServiceKey"]["__typename"] == "LimitReachedError"
