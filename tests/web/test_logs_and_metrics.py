"""What operators see: unexpected errors masked for the client and logged in full, one JSON log line per
request (with no secrets anywhere in the logs), and the Prometheus metrics at /metrics."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from asyncpg.exceptions import UndefinedTableError
from prometheus_client.parser import text_string_to_metric_families

from access import keyformat
from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory, StatementLog
from tests.factories import bearer, staff_token
from web.logs import JsonFormatter
from web.trusted_documents import digest

LOGGER = "carrier_admin.graphql"
NAMED = "query Named($search: String) { carriers(search: $search, first: 5) { totalCount nodes { code } } }"
CARRIER_BY_CODE = 'query ByCode { carrier(code: "BNSF") { code } }'
VIEWER = "query Viewer { viewer { kind } }"
SECRET_SEARCH = "needle-7f3a9c-variable"  # a variable value that must never be logged

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _warm_up(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/graphql", json={"query": NAMED, "variables": {"search": "warm"}}, headers=bearer(staff_token())
    )
    assert response.status == 200
    await response.read()


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == LOGGER and record.getMessage() == "graphql request"
    ]


async def test_unexpected_error_is_masked_and_logged_in_full(
    client: TestClient[Any, Any], conn: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    # given: the carriers table is gone (inside the test's transaction), so the query fails unexpectedly
    await conn.execute("alter table carriers rename to carriers_gone")

    response = await client.post(
        "/graphql",
        json={"query": CARRIER_BY_CODE},
        headers={**bearer(staff_token()), "X-Request-Id": "req-boom-1"},
    )

    body = await response.json()
    assert response.status == 200
    (error,) = body["errors"]
    assert error["message"].startswith("Internal error")
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-boom-1"}
    assert error["path"] == ["carrier"]
    assert "carriers" not in json.dumps(body)
    # The log has the whole story, tied to the request id.
    (logged,) = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR]
    assert "req-boom-1" in logged.getMessage()
    assert logged.exc_info is not None
    assert isinstance(logged.exc_info[1], UndefinedTableError)
    line = json.loads(JsonFormatter().format(logged))
    assert line["level"] == "ERROR"
    assert 'relation "carriers" does not exist' in line["exception"]
    (request_line,) = _request_lines(caplog)
    assert request_line["request_id"] == "req-boom-1"
    assert request_line["operation"] == "ByCode"


async def test_one_json_line_per_request(
    client: TestClient[Any, Any], conn: Connection, sql_log: StatementLog, caplog: pytest.LogCaptureFixture
) -> None:
    await factories.carrier(conn, "LOGA")
    # A first request, unlogged: asyncpg introspects the connection's types once; not part of the count.
    await _warm_up(client)
    caplog.set_level(logging.INFO, logger=LOGGER)
    await sql_log.count()  # let pending query-logger callbacks run first
    sql_log.clear()

    response = await client.post(
        "/graphql",
        json={"query": NAMED, "variables": {"search": "LOG"}},
        headers={**bearer(staff_token()), "X-Request-Id": "req-log-1"},
    )

    assert response.status == 200
    assert (await response.json())["data"]["carriers"]["nodes"] == [{"code": "LOGA"}]
    statements = await sql_log.count()
    (line,) = _request_lines(caplog)
    assert line["logger"] == LOGGER
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-log-1"
    assert line["method"] == "POST"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert line["operation"] == "Named"
    assert line["caller"] == "staff:staff-1"
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0
    assert statements == 1
    assert line["sql_statements"] == statements


async def test_log_lines_of_refused_requests(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = await make_client(rate_limit_per_person=1)
    caplog.set_level(logging.INFO, logger=LOGGER)

    unauthenticated = await client.post("/graphql", json={"query": VIEWER}, headers=bearer("cak_test_nope"))
    allowed = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))
    limited = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))

    assert [unauthenticated.status, allowed.status, limited.status] == [401, 200, 429]
    lines = _request_lines(caplog)
    assert [(line["status"], line["outcome"], line["caller"]) for line in lines] == [
        (401, "refused", None),
        (200, "ok", "staff:staff-1"),
        (429, "rate_limited", "staff:staff-1"),
    ]
    assert [line["operation"] for line in lines] == ["-", "Viewer", "-"]
    assert [line["sql_statements"] for line in lines] == [0, 0, 0]


async def test_anonymous_operation_is_logged_as_anonymous(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    await client.post("/graphql", json={"query": "{ viewer { kind } }"})

    (line,) = _request_lines(caplog)
    assert line["operation"] == "anonymous"
    assert line["caller"].startswith("anonymous")


async def test_no_secret_or_variable_in_any_log_record(
    client: TestClient[Any, Any], conn: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    carrier_id = await factories.carrier(conn, "LOGB")
    _, key_secret = await factories.api_key(conn, carrier_id)
    unknown_key = keyformat.generate("test").secret
    token = staff_token()
    variables = {"search": SECRET_SEARCH}

    statuses = [
        (
            await client.post(
                "/graphql", json={"query": NAMED, "variables": variables}, headers=bearer(token)
            )
        ).status,
        (
            await client.post(
                "/graphql", json={"query": NAMED, "variables": variables}, headers=bearer(key_secret)
            )
        ).status,
        (
            await client.post(
                "/graphql", json={"query": NAMED, "variables": variables}, headers=bearer(unknown_key)
            )
        ).status,
    ]
    # And an unexpected error, which is logged with its traceback.
    await conn.execute("alter table carriers rename to carriers_gone")
    statuses.append(
        (
            await client.post(
                "/graphql", json={"query": NAMED, "variables": variables}, headers=bearer(token)
            )
        ).status
    )

    assert statuses == [200, 200, 401, 200]
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    formatter = JsonFormatter()
    for record in caplog.records:
        text = formatter.format(record) + record.getMessage() + repr(record.args) + repr(vars(record))
        for secret in (token, key_secret, unknown_key, SECRET_SEARCH):
            assert secret not in text, f"{secret[:12]}… logged by {record.name}: {record.getMessage()}"
        # The signature and the key body on their own are secrets as well.
        assert token.rsplit(".", 1)[1] not in text
        assert key_secret[-20:] not in text


async def test_a_variables_error_does_not_log_the_value(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    response = await client.post(
        "/graphql",
        json={"query": NAMED, "variables": {"search": {"nested": SECRET_SEARCH}}},
        headers=bearer(staff_token()),
    )

    assert response.status == 200
    assert (await response.json())["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    formatter = JsonFormatter()
    for record in caplog.records:
        assert SECRET_SEARCH not in formatter.format(record), (
            f"logged by {record.name}: {record.getMessage()}"
        )


def _samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _metrics(client: TestClient[Any, Any]) -> Samples:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    return _samples(await response.text())


def _labels(**labels: str) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


def _manifest(tmp_path: Path, *documents: str) -> Path:
    path = tmp_path / "trusted-documents.json"
    path.write_text(json.dumps({digest(document): document for document in documents}))
    return path


async def test_metrics_after_requests(
    make_client: ClientFactory, conn: Connection, sql_log: StatementLog, tmp_path: Path
) -> None:
    carrier_id = await factories.carrier(conn, "METR")
    _, key_secret = await factories.api_key(conn, carrier_id)
    # Named is a trusted document's operation; Viewer is not (an ad-hoc name: labelled "other").
    client = await make_client(rate_limit_per_person=2, trusted_documents_path=_manifest(tmp_path, NAMED))
    await _warm_up(await make_client())  # another app on the same connection: its metrics are its own
    await sql_log.count()  # let pending query-logger callbacks run first
    sql_log.clear()
    named = await client.post(
        "/graphql", json={"query": NAMED, "variables": {"search": "MET"}}, headers=bearer(staff_token())
    )
    statements = await sql_log.count()
    assert statements == 1
    with_key = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(key_secret))
    bad_key = await client.post("/graphql", json={"query": VIEWER}, headers=bearer("cak_test_nope"))
    staff_again = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))
    limited = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))
    assert [r.status for r in (named, with_key, bad_key, staff_again, limited)] == [200, 200, 401, 200, 429]

    samples = await _metrics(client)

    requests = "carrier_admin_graphql_requests_total"
    assert samples[(requests, _labels(operation="Named", outcome="ok"))] == 1
    assert samples[(requests, _labels(operation="other", outcome="ok"))] == 2
    assert samples[(requests, _labels(operation="-", outcome="refused"))] == 1
    assert samples[(requests, _labels(operation="-", outcome="rate_limited"))] == 1
    latency = "carrier_admin_graphql_request_seconds"
    assert samples[(f"{latency}_count", _labels(operation="Named"))] == 1
    assert samples[(f"{latency}_bucket", _labels(operation="Named", le="+Inf"))] == 1
    assert samples[(f"{latency}_sum", _labels(operation="Named"))] > 0
    verifications = "carrier_admin_api_key_verifications_total"
    assert samples[(verifications, _labels(result="ok"))] == 1
    assert samples[(verifications, _labels(result="invalid"))] == 1
    assert samples[("carrier_admin_rate_limit_refusals_total", _labels(bucket="person"))] == 1
    per_request = "carrier_admin_sql_statements_per_request"
    # Observed for the three requests that reached execution.
    assert samples[(f"{per_request}_count", _labels())] == 3
    assert samples[(f"{per_request}_bucket", _labels(le="+Inf"))] == 3
    # The named query's statements, plus the key-authenticated request's key lookup.
    assert samples[(f"{per_request}_sum", _labels())] == statements + 1


async def test_metrics_count_failed_authentication_refusals(make_client: ClientFactory) -> None:
    client = await make_client(rate_limit_failed_auth_per_address=1)

    first = await client.post("/graphql", json={"query": VIEWER}, headers=bearer("cak_test_nope"))
    second = await client.post("/graphql", json={"query": VIEWER}, headers=bearer("cak_test_nope"))
    valid = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(staff_token()))
    assert (first.status, second.status, valid.status) == (401, 429, 200)

    samples = await _metrics(client)

    assert samples[("carrier_admin_rate_limit_refusals_total", _labels(bucket="failed_auth"))] == 1
    assert samples[("carrier_admin_api_key_verifications_total", _labels(result="invalid"))] == 2


async def test_made_up_operation_names_never_become_labels(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    client = await make_client(trusted_documents_path=_manifest(tmp_path, NAMED))
    for number in range(50):
        query = f"query Invented{number} {{ viewer {{ kind }} }}"
        assert (await client.post("/graphql", json={"query": query})).status == 200
    text = await (await client.get("/metrics")).text()
    assert "Invented" not in text
    samples = _samples(text)
    assert samples[("carrier_admin_graphql_requests_total", _labels(operation="other", outcome="ok"))] == 50


async def test_metrics_behind_a_token(make_client: ClientFactory) -> None:
    client = await make_client(metrics_token="scrape-secret-1")
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2"})
    assert wrong.status == 401
    right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
    assert right.status == 200
    assert "carrier_admin_graphql_requests_total" in await right.text()


async def test_production_keeps_metrics_off_the_public_port_without_a_token(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    production = factories.production_settings(tmp_path)
    assert (await (await make_client(**production)).get("/metrics")).status == 404
    with_token = await make_client(**production, metrics_token="scrape-secret-1")
    scraped = await with_token.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
    assert scraped.status == 200


async def test_metrics_of_a_fresh_app(client: TestClient[Any, Any]) -> None:
    response = await client.get("/metrics")
    text = await response.text()

    for name in (
        "carrier_admin_graphql_requests_total",
        "carrier_admin_graphql_request_seconds",
        "carrier_admin_api_key_verifications_total",
        "carrier_admin_rate_limit_refusals_total",
        "carrier_admin_sql_statements_per_request",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text
