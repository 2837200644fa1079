"""GraphiQL served by the API itself: every asset local, a strict CSP, a ready token in development."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from access.tokens import TokenSettings, TokenVerifier
from tests.conftest import TEST_SECRET, ClientFactory

HTML = {"Accept": "text/html"}
ASSET_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


async def test_every_asset_the_page_references_is_served_by_this_server(client: TestClient[Any, Any]) -> None:
    # given
    response = await client.get("/graphql", headers=HTML)
    page = await response.text()

    # then: the page, with a policy that allows nothing from elsewhere
    assert response.status == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    references = ASSET_REFERENCE.findall(page)
    assert len(references) == 9
    for reference in references:
        assert reference.startswith("/graphiql/assets/"), f"{reference} is not served locally"
        asset = await client.get(reference)
        assert asset.status == 200, reference
        body = await asset.read()
        assert len(body) > 20, reference
        expected = "javascript" if reference.endswith(".js") else "css"
        assert expected in asset.headers["Content-Type"], reference
    assert "<script>" not in page  # no inline script: the policy would block it


async def test_only_the_listed_assets_are_served(client: TestClient[Any, Any]) -> None:
    for name in ("../../settings.py", "package.json", "node_modules", "%2e%2e%2fserver.py"):
        assert (await client.get(f"/graphiql/assets/{name}")).status == 404


async def test_development_opens_with_a_staff_token_and_the_nested_query(
    client: TestClient[Any, Any],
) -> None:
    page = await (await client.get("/graphql", headers=HTML)).text()
    block = re.search(r'<script id="graphiql-config" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    config = json.loads(block[1])
    assert config["endpoint"] == "/graphql"
    assert "apiKeys" in config["query"]
    assert "enablements" in config["query"]
    token = json.loads(config["headers"])["Authorization"].removeprefix("Bearer ")
    claims = TokenVerifier(TokenSettings(hs256_secret=TEST_SECRET)).verify(token)
    assert claims.is_staff


async def test_production_opens_without_a_token(make_client: ClientFactory, tmp_path: Path) -> None:
    public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = {**json.loads(RSAAlgorithm.to_jwk(public_key)), "kid": "test", "alg": "RS256", "use": "sig"}
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    client = await make_client(
        environment="production", graphiql=True, jwt_hs256_secret=None, jwt_jwks_path=str(jwks)
    )
    page = await (await client.get("/graphql", headers=HTML)).text()
    assert '"headers": null' in page


async def test_graphiql_can_be_turned_off(make_client: ClientFactory) -> None:
    client = await make_client(graphiql=False)
    assert (await client.get("/graphql", headers=HTML)).status == 404
