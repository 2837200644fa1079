"""Served by the app on a database of its own (reads committed, as in production): the nested query reads
the feature catalogue once, then answers from the application's known catalogue with one statement
fewer, and a feature changed through the API is read again at once (db/features.KnownFeatures)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bench.workloads import NESTED_QUERY
from db.pool import PoolDatabase, create_pool
from resolvers.global_ids import to_global_id
from server import init_app
from tests import factories
from tests.conftest import make_settings
from tests.factories import bearer, staff_token

STAFF = bearer(staff_token())
RENAME = """mutation Rename($id: ID!, $name: String!, $on: Boolean!) {
  updateFeature(input: {id: $id, name: $name, defaultEnabled: $on}) { __typename }
}"""
FEATURES_OF_THE_FIRST_CARRIER = """query Features($id: ID!) {
  organization(id: $id) { carriers(first: 1) { nodes { enablements { feature { key name } effective } } } }
}"""


@pytest.fixture
async def client(own_database: str) -> AsyncIterator[TestClient[Any, Any]]:
    pool = await create_pool(own_database, min_size=1, max_size=4, statement_timeout_seconds=5)
    try:
        async with TestClient(TestServer(init_app(make_settings(), database=PoolDatabase(pool)))) as made:
            yield made
    finally:
        await pool.close()


async def test_the_catalogue_is_read_once_and_again_after_a_change(
    own_database: str, client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # given: an organization of three carriers and two features, committed
    setup = await asyncpg.connect(own_database)
    try:
        organization = await factories.organization(setup, "Known Group")
        feature = await factories.feature(setup, "known.feature", default=False)
        await factories.feature(setup, "known.other", default=True)
        for n in range(3):
            await factories.carrier(setup, f"KNW{n}", organization_id=organization)
    finally:
        await setup.close()
    organization_id = str(to_global_id("Organization", organization))
    nested = {"query": NESTED_QUERY, "variables": {"id": organization_id, "first": 50, "after": None}}
    features = {"query": FEATURES_OF_THE_FIRST_CARRIER, "variables": {"id": organization_id}}
    await _post(client, nested)  # asyncpg reads type information on a connection's first use
    caplog.set_level(logging.INFO, logger="carrier_admin.graphql")

    # when: the nested query twice, the feature renamed and turned on, then the query twice again
    answers = [await _post(client, nested) for _ in range(2)]
    renamed = await _post(
        client,
        {
            "query": RENAME,
            "variables": {"id": str(to_global_id("Feature", feature)), "name": "Known", "on": True},
        },
    )
    after = [await _post(client, features) for _ in range(2)]

    # then: the same answer without the catalogue's statement; the change read again, then known
    assert answers[0] == answers[1]
    assert renamed["data"]["updateFeature"]["__typename"] == "FeaturePayload"
    for answer in after:
        [carrier] = answer["data"]["organization"]["carriers"]["nodes"]
        assert {"feature": {"key": "known.feature", "name": "Known"}, "effective": True} in carrier[
            "enablements"
        ]
    statements = [r.sql_statements for r in caplog.records if r.name == "carrier_admin.graphql"]  # type: ignore[attr-defined]
    assert statements[:2] == [4, 4]  # the organization, its carriers, their keys, their enablements
    assert statements[3:] == [4, 3]  # organization, carriers, enablements; the changed catalogue once


async def _post(client: TestClient[Any, Any], body: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json=body, headers=STAFF)
    assert response.status == 200
    answer = orjson.loads(await response.read())
    assert "errors" not in answer, answer
    return answer
