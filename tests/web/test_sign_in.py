"""Signing in to the Tools page: the OpenID provider's settings for production, and in development a
sign-in that picks who you are. The development sign-in does not exist with production settings, nor
(unless asked for) on a server that listens beyond loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import drawn

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


FOREIGN_HOSTS = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){1,3}", fullmatch=True).filter(
        lambda name: not name.endswith(".localhost")
    ),
    st.ip_addresses()
    .filter(lambda address: not address.is_loopback)
    .map(lambda address: f"[{address}]" if address.version == 6 else str(address)),
)
LOCAL_HOSTS = ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "tools.localhost"]


async def test_the_development_sign_in_answers_only_to_a_loopback_host_name(
    make_client: ClientFactory,
) -> None:
    """DNS rebinding: a page the developer visits points a name of its own at 127.0.0.1, and its
    requests arrive with that name as Host. They get nothing: no token, no identities, no GraphiQL
    token, and the page is told there is no development sign-in."""
    client = await make_client()
    for name in drawn(FOREIGN_HOSTS, 15):
        host = {"Host": f"{name}:8080"}
        token = await client.post("/auth/dev-token", json={"kind": "STAFF"}, headers=host)
        assert token.status == 403, name
        assert "token" not in await token.text()
        assert (await client.get("/auth/dev-identities", headers=host)).status == 403
        assert (await (await client.get("/auth/config", headers=host)).json())["developmentSignIn"] is False
        graphiql = await (await client.get("/graphql", headers={**host, "Accept": "text/html"})).text()
        assert '"headers": null' in graphiql
    for name in LOCAL_HOSTS:
        host = {"Host": f"{name}:8080"}
        assert (await client.post("/auth/dev-token", json={"kind": "STAFF"}, headers=host)).status == 200
        assert (await (await client.get("/auth/config", headers=host)).json())["developmentSignIn"] is True


async def test_a_development_token_needs_a_same_origin_json_request(make_client: ClientFactory) -> None:
    client = await make_client()
    body = b'{"kind": "STAFF"}'
    as_text = await client.post("/auth/dev-token", data=body, headers={"Content-Type": "text/plain"})
    as_form = await client.post(
        "/auth/dev-token", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    cross_site = await client.post(
        "/auth/dev-token", json={"kind": "STAFF"}, headers={"Origin": "https://attacker.example"}
    )
    own_origin = await client.post(
        "/auth/dev-token", json={"kind": "STAFF"}, headers={"Origin": str(client.make_url("")).rstrip("/")}
    )

    assert (as_text.status, as_form.status, cross_site.status) == (403, 403, 403)
    assert own_origin.status == 200
