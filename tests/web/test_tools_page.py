"""The Tools page served by the API: the app at / and at its own routes, hashed assets cached for good,
index.html never cached, a strict Content-Security-Policy, nothing outside the build reachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ClientFactory

INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f2a1b.js"></script></head></html>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-3f2a1b.js").write_text("console.log('tools');")
    (tmp_path / "secret.txt").write_text("not part of the page")
    return tmp_path


@pytest.mark.parametrize("route", ["/", "/carriers/BNSF/api-keys", "/sign-in"])
async def test_the_app_answers_its_routes_uncached_with_a_strict_policy(
    make_client: ClientFactory, dist: Path, route: str
) -> None:
    client = await make_client(frontend_dist=dist)
    response = await client.get(route)
    assert response.status == 200
    assert await response.text() == INDEX
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


async def test_hashed_assets_are_immutable(make_client: ClientFactory, dist: Path) -> None:
    client = await make_client(frontend_dist=dist)
    response = await client.get("/assets/app-3f2a1b.js")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["Content-Type"]


@pytest.mark.parametrize(
    "path", ["/assets/../secret.txt", "/assets/%2e%2e%2fsecret.txt", "/assets/missing.js", "/assets/.hidden"]
)
async def test_nothing_outside_the_assets_is_served(
    make_client: ClientFactory, dist: Path, path: str
) -> None:
    client = await make_client(frontend_dist=dist)
    response = await client.get(path)
    assert response.status == 404 or "not part of the page" not in await response.text()


async def test_the_api_keeps_its_own_routes(make_client: ClientFactory, dist: Path) -> None:
    client = await make_client(frontend_dist=dist)
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/auth/nothing-here")).status == 404
    assert (await client.get("/graphql/extra")).status == 404


async def test_the_policy_admits_the_identity_provider_only(make_client: ClientFactory, dist: Path) -> None:
    client = await make_client(
        frontend_dist=dist, oidc_issuer="https://login.example.test/realm", oidc_client_id="tools"
    )
    policy = (await client.get("/")).headers["Content-Security-Policy"]
    assert "connect-src 'self' https://login.example.test;" in policy
    assert "frame-src https://login.example.test;" in policy


async def test_an_unbuilt_page_says_how_to_build_it(make_client: ClientFactory, tmp_path: Path) -> None:
    client = await make_client(frontend_dist=tmp_path / "nothing")
    response = await client.get("/")
    assert response.status == 503
    assert "make run" in await response.text()
