"""Tracing, when configured: operation, resolver and SQL spans, tagged with the request id, and
nothing a caller typed into a mutation's input ever in a span."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from db.pool import Connection
from server import init_app
from tests import factories
from tests.conftest import TransactionDatabase, make_settings
from web import tracing

EXPORTER = InMemorySpanExporter()
NESTED = '{ carrier(code: "TRC1") { code enablements { state } } }'
SECRET_INPUT = 'mutation { createCarrier(input: {code: "TRC2", name: "Very Private Name"}) { __typename } }'


async def test_spans_cover_the_operation_resolvers_and_sql_with_the_request_id(conn: Connection) -> None:
    # given: an app configured to trace (spans kept in memory instead of sent to a collector)
    tracing.configure("http://collector.invalid", exporter=EXPORTER)
    EXPORTER.clear()
    await factories.carrier(conn, "TRC1")
    app = init_app(
        make_settings(otel_exporter_endpoint="http://collector.invalid"), database=TransactionDatabase(conn)
    )
    headers = {**factories.bearer(factories.staff_token()), "X-Request-Id": "trace-me-1"}
    async with TestClient(TestServer(app)) as client:
        # when
        assert (await client.post("/graphql", json={"query": NESTED}, headers=headers)).status == 200
        assert (await client.post("/graphql", json={"query": SECRET_INPUT}, headers=headers)).status == 200
    provider: Any = trace.get_tracer_provider()
    provider.force_flush()

    # then
    spans = EXPORTER.get_finished_spans()
    names = {span.name for span in spans}
    assert "GraphQL Query" in names
    assert "SQL" in names
    operation = next(s for s in spans if s.name == "GraphQL Query")
    assert operation.attributes is not None
    assert operation.attributes["carrier_admin.request_id"] == "trace-me-1"
    sql = [s for s in spans if s.name == "SQL"]
    assert all(s.parent is not None for s in sql)
    assert {s.attributes["carrier_admin.request_id"] for s in sql if s.attributes} == {"trace-me-1"}
    assert any(s.name.startswith("GraphQL Resolving") for s in spans)
    assert not any("Very Private Name" in str(s.attributes) for s in spans)
