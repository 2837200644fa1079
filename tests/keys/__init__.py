"""API keys end to end: issue, restrict, rotate, revoke, verify, record last use; the secret shown once.

Shared here: the GraphQL documents of the key mutations, a poster that keeps the HTTP status, a clock
the tests move (with tokens that are valid by it), and a direct insert for keys in states the API
cannot produce on demand (already expired, revoked in the past).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from access import keyformat
from access.tokens import mint_development_token
from db.pool import Connection
from resolvers.global_ids import from_global_id, to_global_id
from tests import factories

KEY_FIELDS = """
fragment KeyFields on ApiKey {
  id description hint environment scopes ipAllowlist expiresAt status createdAt
  createdBy { kind id name }
  revokedAt revokedBy { kind id name } revocationReason
  lastUsedAt lastUsedAddress version
  rotatedFrom { id hint }
}
"""

CREATE_API_KEY = (
    """
mutation CreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeyPayload { secret replayed apiKey { ...KeyFields } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
    ... on LimitReachedError { limit }
  }
}
"""
    + KEY_FIELDS
)

UPDATE_API_KEY = (
    """
mutation UpdateApiKey($input: UpdateApiKeyInput!) {
  updateApiKey(input: $input) {
    __typename
    ... on ApiKeyPayload { apiKey { ...KeyFields } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""
    + KEY_FIELDS
)

REVOKE_API_KEY = (
    """
mutation RevokeApiKey($input: RevokeApiKeyInput!) {
  revokeApiKey(input: $input) {
    __typename
    ... on ApiKeyPayload { apiKey { ...KeyFields } }
    ... on UserError { message code field }
  }
}
"""
    + KEY_FIELDS
)

ROTATE_API_KEY = (
    """
mutation RotateApiKey($input: RotateApiKeyInput!) {
  rotateApiKey(input: $input) {
    __typename
    ... on RotateApiKeyPayload { secret apiKey { ...KeyFields } previousKey { ...KeyFields } }
    ... on UserError { message code field }
    ... on ConflictError { currentVersion }
  }
}
"""
    + KEY_FIELDS
)

API_KEY = "query ApiKey($id: ID!) { apiKey(id: $id) { ...KeyFields } }" + KEY_FIELDS
VIEWER = "{ viewer { kind id } }"


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    text: str
    headers: Mapping[str, str]


async def post(
    client: TestClient[Any, Any],
    query: str,
    variables: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    response = await client.post(
        "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=dict(headers or {})
    )
    text = await response.text()
    body: dict[str, Any] = await response.json()
    return Reply(response.status, body, text, response.headers)


def staff(at: datetime | None = None) -> dict[str, str]:
    """A staff member's bearer token, valid by a clock standing at `at` (default: the real time)."""
    return factories.bearer(
        mint_development_token(
            factories.TOKENS,
            subject="staff-1",
            name="Sam Staff",
            email="sam@vendor.test",
            staff=True,
            now=at.timestamp() if at else None,
        )
    )


def admin(*codes: str, at: datetime | None = None) -> dict[str, str]:
    """An administrator of the carriers with these codes."""
    return factories.bearer(
        mint_development_token(
            factories.TOKENS,
            subject="admin-1",
            name="Alex Admin",
            carrier_codes=codes,
            now=at.timestamp() if at else None,
        )
    )


class Clock:
    """The app's clock in a test: stands still until the test moves it."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def staff(self) -> dict[str, str]:
        return staff(self.at)


@dataclass(frozen=True)
class Carrier:
    id: uuid.UUID
    code: str

    @property
    def gid(self) -> str:
        return str(to_global_id("Carrier", self.id))


async def new_carrier(conn: Connection) -> Carrier:
    code = factories.unique_code("K")
    return Carrier(await factories.carrier(conn, code), code)


def key_gid(key_id: uuid.UUID) -> str:
    return str(to_global_id("ApiKey", key_id))


def key_uuid(global_id: str) -> uuid.UUID:
    decoded = from_global_id(global_id)
    assert decoded is not None
    assert decoded[0] == "ApiKey"
    return decoded[1]


def key_input(carrier: Carrier, **fields: Any) -> dict[str, Any]:
    """A createApiKey input: a description and CARRIER_READ unless the test says otherwise."""
    return {"carrierId": carrier.gid, "description": "ERP integration", "scopes": ["CARRIER_READ"], **fields}


async def create(
    client: TestClient[Any, Any], headers: Mapping[str, str], carrier: Carrier, **fields: Any
) -> dict[str, Any]:
    """The createApiKey result, whatever its type."""
    reply = await post(client, CREATE_API_KEY, {"input": key_input(carrier, **fields)}, headers)
    assert reply.status == 200, reply.body
    assert "errors" not in reply.body, reply.body
    result: dict[str, Any] = reply.body["data"]["createApiKey"]
    return result


async def issue(
    client: TestClient[Any, Any], headers: Mapping[str, str], carrier: Carrier, **fields: Any
) -> dict[str, Any]:
    """A CreateApiKeyPayload; fails the test on any error."""
    result = await create(client, headers, carrier, **fields)
    assert result["__typename"] == "CreateApiKeyPayload", result
    return result


async def mutate(
    client: TestClient[Any, Any], document: str, headers: Mapping[str, str], **input_fields: Any
) -> dict[str, Any]:
    """Run one of the key mutations; return its result (payload or user error)."""
    reply = await post(client, document, {"input": input_fields}, headers)
    assert reply.status == 200, reply.body
    assert "errors" not in reply.body, reply.body
    data: dict[str, Any] = reply.body["data"]
    (result,) = data.values()
    assert isinstance(result, dict)
    return result


async def viewer_status(
    client: TestClient[Any, Any], secret: str, headers: Mapping[str, str] | None = None
) -> Reply:
    """A request authenticated by the key alone."""
    return await post(client, VIEWER, headers={**factories.bearer(secret), **(headers or {})})


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


async def insert_key(
    conn: Connection,
    carrier_id: uuid.UUID,
    *,
    scopes: Sequence[str] = ("carrier:read",),
    allowlist: Sequence[str] = (),
    created_at: datetime,
    expires_at: datetime | None,
    revoked_at: datetime | None = None,
    description: str = "Inserted integration",
) -> tuple[uuid.UUID, str]:
    """(key id, secret) of a key inserted straight into the table, in any state."""
    issued = keyformat.generate("test")
    key_id: uuid.UUID = await conn.fetchval(
        """
        insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes, ip_allowlist,
                              created_at, updated_at, expires_at, created_by_kind, created_by_id,
                              revoked_at, revoked_by_kind, revoked_by_id, revoked_reason)
        values ($1, $2, $3, $4, 'test', $5, $6::cidr[], $7, $7, $8, 'system', 'test',
                $9::timestamptz,
                case when $9::timestamptz is null then null else 'system' end,
                case when $9::timestamptz is null then null else 'test' end,
                case when $9::timestamptz is null then null else 'test revocation' end)
        returning id
        """,
        carrier_id,
        description,
        issued.secret_hash,
        issued.hint,
        list(scopes),
        list(allowlist),
        created_at,
        expires_at,
        revoked_at,
    )
    return key_id, issued.secret


def days(n: float) -> timedelta:
    return timedelta(days=n)
