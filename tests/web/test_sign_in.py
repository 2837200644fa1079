"""Signing in to the Tools page: the OpenID provider's settings for production, and in development a
sign-in that picks who you are. The development sign-in does not exist with production settings, nor
(unless asked for) on a server that listens beyond loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory

VIEWER = "{ viewer { kind name isStaff carriers { nodes { code } } } }"


async def test_config_names_the_provider(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client(
        **factories.production_settings(tmp_path),
        oidc_issuer="https://id.example.test",
        oidc_client_id="tools",
    )
    body = await (await client.get("/auth/config")).json()
    assert body == {
        "environment": "production",
        "developmentSignIn": False,
        "oidc": {
            "issuer": "https://id.example.test",
            "clientId": "tools",
            "audience": "carrier-admin",
            "scopes": "openid profile email",
        },
    }


async def test_development_lists_who_one_can_be(make_client: ClientFactory, conn: Connection) -> None:
    organization = await factories.organization(conn, "Sign-in Holdings")
    await factories.carrier(conn, "SGN1", organization_id=organization)
    client = await make_client()
    assert (await (await client.get("/auth/config")).json())["developmentSignIn"] is True
    identities = (await (await client.get("/auth/dev-identities")).json())["identities"]
    assert identities[0] == {"kind": "STAFF", "label": "Platform staff"}
    assert {
        "kind": "CARRIER_ADMIN",
        "carrierCode": "SGN1",
        "label": "Administrator of SGN1 (SGN1 Railroad)",
    } in (identities)
    assert {
        "kind": "ORGANIZATION_ADMIN",
        "organizationId": to_global_id("Organization", organization),
        "label": "Administrator of the organization Sign-in Holdings",
    } in identities


@pytest.mark.parametrize(
    ("identity", "kind", "staff", "codes"),
    [
        ({"kind": "STAFF"}, "STAFF", True, None),
        ({"kind": "CARRIER_ADMIN", "carrierCode": "sgn2"}, "ADMIN", False, ["SGN2"]),
        ({"kind": "ORGANIZATION_ADMIN"}, "ADMIN", False, ["SGN2", "SGN3"]),
    ],
)
async def test_a_development_token_signs_in_as_that_person(
    make_client: ClientFactory,
    conn: Connection,
    identity: dict[str, Any],
    kind: str,
    staff: bool,
    codes: list[str] | None,
) -> None:
    organization = await factories.organization(conn)
    await factories.carrier(conn, "SGN2", organization_id=organization)
    await factories.carrier(conn, "SGN3", organization_id=organization)
    if identity["kind"] == "ORGANIZATION_ADMIN":
        identity = {**identity, "organizationId": to_global_id("Organization", organization)}
    client = await make_client()
    issued = await (await client.post("/auth/dev-token", json=identity)).json()
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers=factories.bearer(issued["token"])
    )
    viewer = (await response.json())["data"]["viewer"]
    assert (viewer["kind"], viewer["isStaff"]) == (kind, staff)
    if codes is not None:
        assert [c["code"] for c in viewer["carriers"]["nodes"]] == codes


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "ROOT"},
        {"kind": "CARRIER_ADMIN", "carrierCode": "NOPE9"},
        {"kind": "ORGANIZATION_ADMIN", "organizationId": "not an id"},
        {"kind": "STAFF", "lifetimeSeconds": 10**9},
        {"kind": "STAFF", "lifetimeSeconds": "60"},
    ],
)
async def test_a_development_token_for_nobody_is_refused(
    make_client: ClientFactory, body: dict[str, Any]
) -> None:
    client = await make_client()
    response = await client.post("/auth/dev-token", json=body)
    assert response.status == 400
    assert (await response.json())["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_production_has_no_development_sign_in(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client(**factories.production_settings(tmp_path))
    assert (await client.post("/auth/dev-token", json={"kind": "STAFF"})).status == 404
    assert (await client.get("/auth/dev-identities")).status == 404


async def test_beyond_loopback_the_development_sign_in_is_off_unless_asked_for(
    make_client: ClientFactory,
) -> None:
    exposed = await make_client(host="0.0.0.0")  # noqa: S104 - the setting under test
    assert (await exposed.post("/auth/dev-token", json={"kind": "STAFF"})).status == 404
    graphiql = await (await exposed.get("/graphql", headers={"Accept": "text/html"})).text()
    assert '"headers": null' in graphiql
    asked = await make_client(host="0.0.0.0", development_sign_in=True)  # noqa: S104
    assert (await asked.post("/auth/dev-token", json={"kind": "STAFF"})).status == 200
