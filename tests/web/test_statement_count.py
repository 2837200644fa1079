"""The per-request SQL statement count (log line and metric) includes authentication's own lookup."""

from __future__ import annotations

import logging

import pytest

from db.pool import Connection
from tests import factories
from tests.conftest import GraphQL

QUERY = '{ carrier(code: "STMT1") { code } }'


async def test_a_key_lookup_counts_as_a_statement(
    graphql: GraphQL, conn: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    carrier_id = await factories.carrier(conn, "STMT1")
    _, secret = await factories.api_key(conn, carrier_id)
    # asyncpg reads type information on a connection's first use: not part of any request's count.
    await graphql(QUERY, headers=factories.bearer(secret))
    caplog.set_level(logging.INFO, logger="carrier_admin.graphql")

    # when: the same query, with a token and with a key
    await graphql(QUERY, headers=factories.bearer(factories.staff_token()))
    await graphql(QUERY, headers=factories.bearer(secret))

    # then: one statement for the carrier; the key adds its lookup
    counts = [r.sql_statements for r in caplog.records if r.name == "carrier_admin.graphql"]  # type: ignore[attr-defined]
    assert counts == [1, 2]
