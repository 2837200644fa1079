"""The secret is in createApiKey's (or rotateApiKey's) answer and nowhere else: not in any later answer,
not in any table, not in the logs, not even sent to the database."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from asyncpg.connection import LoggedQuery

from access import keyformat
from db.pool import Connection
from tests.keys import (
    CREATE_API_KEY,
    KEY_FIELDS,
    REVOKE_API_KEY,
    ROTATE_API_KEY,
    UPDATE_API_KEY,
    issue,
    key_input,
    key_uuid,
    mutate,
    new_carrier,
    post,
    staff,
    viewer_status,
)

EVERY_READ = (
    """
query EveryRead($carrier: ID!, $key: ID!) {
  carrier(id: $carrier) {
    apiKeys { totalCount nodes { ...KeyFields } edges { cursor node { id hint } } }
  }
  apiKey(id: $key) { ...KeyFields }
  node(id: $key) { id ... on ApiKey { ...KeyFields } }
  nodes(ids: [$key]) { id ... on ApiKey { hint } }
  activity(targetId: $key) { nodes { action before after reason } }
}
"""
    + KEY_FIELDS
)

TABLES = {
    "carriers",
    "organizations",
    "features",
    "carrier_enablements",
    "organization_enablements",
    "api_keys",
    "activity_log",
}


class ParameterLog:
    """Every statement's text and arguments, as sent on the test's connection."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, query: LoggedQuery) -> None:
        self.sent.append(f"{query.query} {query.args!r}")


@pytest.fixture
def parameter_log(conn: Connection) -> Iterator[ParameterLog]:
    log = ParameterLog()
    conn.add_query_logger(log)
    yield log
    conn.remove_query_logger(log)


def traces(secret: str) -> list[str]:
    """What would give the secret away: itself, its random body, its digest in hex and base64."""
    digest = keyformat.hash_secret(secret)
    return [secret, secret[len("cak_test_") : -6], digest.hex(), base64.b64encode(digest).decode()]


def as_text(value: object) -> str:
    return value.hex() if isinstance(value, bytes | bytearray | memoryview) else str(value)


async def database_text(conn: Connection) -> dict[str, str]:
    """Every table's every row as text (bytea as hex), except the one column expected to hold the digest;
    that column's values are returned under the key 'api_keys.secret_hash'."""
    names = {
        r["tablename"]
        for r in await conn.fetch("select tablename from pg_tables where schemaname = 'public'")
    }
    assert names >= TABLES
    texts: dict[str, str] = {"api_keys.secret_hash": ""}
    for name in sorted(names):
        rows = await conn.fetch(f'select * from "{name}"')  # noqa: S608 - names come from pg_tables
        parts = []
        for row in rows:
            for column, value in dict(row).items():
                if (name, column) == ("api_keys", "secret_hash"):
                    texts["api_keys.secret_hash"] += as_text(value) + "\n"
                else:
                    parts.append(f"{column}={as_text(value)}")
        texts[name] = "\n".join(parts)
    return texts


async def test_the_secret_is_shown_once_and_kept_nowhere(
    client: TestClient[Any, Any],
    conn: Connection,
    caplog: pytest.LogCaptureFixture,
    parameter_log: ParameterLog,
) -> None:
    # given: everything logged, at every level, by every logger
    caplog.set_level(logging.DEBUG)
    carrier = await new_carrier(conn)
    fields = {
        "description": "ERP",
        "scopes": ["ACTIVITY_READ", "CARRIER_READ", "KEYS_READ"],
        "idempotencyKey": "erp-1",
    }

    # when: the key is issued, used, read every way, re-requested, changed, and revoked
    created = await post(client, CREATE_API_KEY, {"input": key_input(carrier, **fields)}, staff())
    payload = created.body["data"]["createApiKey"]
    secret: str = payload["secret"]
    key_id: str = payload["apiKey"]["id"]
    hint: str = payload["apiKey"]["hint"]
    assert keyformat.FULL_MATCH.fullmatch(secret)
    assert keyformat.PATTERN.findall(created.text) == ["test"]  # the one key in the answer
    later: list[str] = []
    used = await viewer_status(client, secret)
    assert used.status == 200
    later.append(used.text)
    for headers in (staff(), {"Authorization": f"Bearer {secret}"}):
        read = await post(client, EVERY_READ, {"carrier": carrier.gid, "key": key_id}, headers)
        assert "errors" not in read.body, read.body
        assert read.body["data"]["apiKey"]["hint"] == hint
        assert read.body["data"]["node"]["hint"] == hint
        assert read.body["data"]["carrier"]["apiKeys"]["totalCount"] == 1
        later.append(read.text)
    retried = await post(client, CREATE_API_KEY, {"input": key_input(carrier, **fields)}, staff())
    replay = retried.body["data"]["createApiKey"]
    assert (replay["secret"], replay["replayed"], replay["apiKey"]["id"]) == (None, True, key_id)
    later.append(retried.text)
    updated = await post(client, UPDATE_API_KEY, {"input": {"id": key_id, "description": "ERP 2"}}, staff())
    assert updated.body["data"]["updateApiKey"]["__typename"] == "ApiKeyPayload"
    later.append(updated.text)
    revoked = await post(client, REVOKE_API_KEY, {"input": {"id": key_id, "reason": "Done"}}, staff())
    assert revoked.body["data"]["revokeApiKey"]["apiKey"]["status"] == "REVOKED"
    later.append(revoked.text)
    refused = await viewer_status(client, secret)
    assert refused.status == 401
    later.append(refused.text + str(dict(refused.headers)))
    after_all = await post(client, EVERY_READ, {"carrier": carrier.gid, "key": key_id}, staff())
    later.append(after_all.text)

    # then: no later answer holds it
    for text in later:
        for trace in traces(secret):
            assert trace not in text
        assert keyformat.PATTERN.search(text) is None
    # one row, and its digest only where it belongs
    assert await conn.fetchval("select count(*) from api_keys where carrier_id = $1", carrier.id) == 1
    stored = await database_text(conn)
    assert keyformat.hash_secret(secret).hex() in stored.pop("api_keys.secret_hash")
    for table, text in stored.items():
        for trace in traces(secret):
            assert trace not in text, f"{table} holds a trace of the secret"
    # the activity log names the key by its hint
    actions = await conn.fetch(
        "select action, after from activity_log where target_id = $1 order by occurred_at",
        key_uuid(key_id),
    )
    assert [r["action"] for r in actions] == ["apiKey.create", "apiKey.update", "apiKey.revoke"]
    assert {r["after"]["hint"] for r in actions} == {hint}
    # never sent to the database, not even as a parameter
    assert parameter_log.sent
    for sent in parameter_log.sent:
        for trace in traces(secret)[:2]:
            assert trace not in sent
    # and never logged
    assert caplog.records
    logged = caplog.text + "\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)
    for trace in traces(secret):
        assert trace not in logged


async def test_a_rotated_secret_is_kept_nowhere_either(
    client: TestClient[Any, Any],
    conn: Connection,
    caplog: pytest.LogCaptureFixture,
    parameter_log: ParameterLog,
) -> None:
    # given
    caplog.set_level(logging.DEBUG)
    carrier = await new_carrier(conn)
    old = await issue(client, staff(), carrier)

    # when
    rotated = await mutate(client, ROTATE_API_KEY, staff(), id=old["apiKey"]["id"], gracePeriodSeconds=60)
    assert (await viewer_status(client, rotated["secret"])).status == 200
    read = await post(client, EVERY_READ, {"carrier": carrier.gid, "key": rotated["apiKey"]["id"]}, staff())

    # then
    assert read.body["data"]["apiKey"]["rotatedFrom"]["id"] == old["apiKey"]["id"]
    stored = await database_text(conn)
    hashes = stored.pop("api_keys.secret_hash")
    logged = caplog.text + "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (old["secret"], rotated["secret"]):
        assert keyformat.hash_secret(secret).hex() in hashes
        for trace in traces(secret):
            assert trace not in read.text
            assert trace not in logged
            for table, text in stored.items():
                assert trace not in text, f"{table} holds a trace of a secret"
        for sent in parameter_log.sent:
            assert secret not in sent
