"""Test data, inserted straight into the real database inside the test's transaction."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from access import keyformat
from access.tokens import TokenSettings, mint_development_token
from db.pool import Connection
from resolvers.global_ids import to_global_id
from tests.conftest import TEST_SECRET

_numbers = itertools.count(1)
TOKENS = TokenSettings(issuer="carrier-admin-dev", audience="carrier-admin", hs256_secret=TEST_SECRET)


def unique_code(prefix: str = "T") -> str:
    return f"{prefix}{next(_numbers):05d}"


async def organization(conn: Connection, name: str | None = None) -> uuid.UUID:
    org_id: uuid.UUID = await conn.fetchval(
        "insert into organizations (name) values ($1) returning id", name or f"Org {uuid.uuid4().hex[:8]}"
    )
    return org_id


async def carrier(
    conn: Connection,
    code: str | None = None,
    *,
    name: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> uuid.UUID:
    code = code or unique_code()
    carrier_id: uuid.UUID = await conn.fetchval(
        "insert into carriers (code, name, organization_id) values ($1, $2, $3) returning id",
        code,
        name or f"{code} Railroad",
        organization_id,
    )
    return carrier_id


async def feature(conn: Connection, key: str | None = None, *, default: bool = False) -> uuid.UUID:
    key = key or f"test.f{next(_numbers):05d}"
    feature_id: uuid.UUID = await conn.fetchval(
        "insert into features (key, name, default_enabled) values ($1, $2, $3) returning id",
        key,
        key.split(".")[-1].title(),
        default,
    )
    return feature_id


async def set_carrier_enablement(
    conn: Connection, carrier_id: uuid.UUID, feature_id: uuid.UUID, on: bool
) -> None:
    await conn.execute(
        """insert into carrier_enablements (carrier_id, feature_id, enabled, updated_by_kind, updated_by_id)
           values ($1, $2, $3, 'system', 'test')
           on conflict (carrier_id, feature_id) do update set enabled = excluded.enabled""",
        carrier_id,
        feature_id,
        on,
    )


async def set_organization_enablement(
    conn: Connection, organization_id: uuid.UUID, feature_id: uuid.UUID, on: bool
) -> None:
    await conn.execute(
        """insert into organization_enablements
               (organization_id, feature_id, enabled, updated_by_kind, updated_by_id)
           values ($1, $2, $3, 'system', 'test')
           on conflict (organization_id, feature_id) do update set enabled = excluded.enabled""",
        organization_id,
        feature_id,
        on,
    )


async def api_key(
    conn: Connection,
    carrier_id: uuid.UUID | None,
    *,
    scopes: Sequence[str] = ("carrier:read",),
    allowlist: Sequence[str] = (),
    expires_at: datetime | None = None,
    revoked: bool = False,
    created_at: datetime | None = None,
    description: str = "Test integration",
) -> tuple[uuid.UUID, str]:
    """(key id, secret); a service key when `carrier_id` is None."""
    issued = keyformat.generate("test")
    created = created_at or await conn.fetchval("select now()")
    key_id: uuid.UUID = await conn.fetchval(
        """
        insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes, ip_allowlist,
                              created_at, expires_at, created_by_kind, created_by_id,
                              revoked_at, revoked_by_kind, revoked_by_id, revoked_reason)
        values ($1, $2, $3, $4, 'test', $5, $6::cidr[], $7, $8, 'system', 'test',
                case when $9 then $7::timestamptz end, case when $9 then 'system' end,
                case when $9 then 'test' end,
                case when $9 then 'test revocation' end)
        returning id
        """,
        carrier_id,
        description,
        issued.secret_hash,
        issued.hint,
        list(scopes),
        list(allowlist),
        created,
        expires_at if expires_at is not None else created + timedelta(days=90),
        revoked,
    )
    return key_id, issued.secret


def staff_token() -> str:
    return mint_development_token(
        TOKENS, subject="staff-1", name="Sam Staff", email="sam@vendor.test", staff=True
    )


def admin_token(
    carriers: Sequence[str] = (), organizations: Sequence[uuid.UUID] = (), subject: str = "admin-1"
) -> str:
    return mint_development_token(
        TOKENS, subject=subject, name="Alex Admin", carrier_codes=carriers, organization_ids=organizations
    )


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def production_settings(directory: Path) -> dict[str, Any]:
    """Settings overrides for a production app: an RSA key set written to `directory` (production
    refuses the development secret), nothing else changed."""
    return ProductionIdentity(directory).settings


class ProductionIdentity:
    """An identity provider's signing key for a production app: its key set written to `directory`
    (`settings`), and people's RS256 tokens signed with it (`token`)."""

    def __init__(self, directory: Path) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = {
            **json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key())),
            "kid": "production",
            "alg": "RS256",
            "use": "sig",
        }
        jwks = directory / "jwks.json"
        jwks.write_text(json.dumps({"keys": [jwk]}))
        self.settings: dict[str, Any] = {
            "environment": "production",
            "jwt_hs256_secret": None,
            "jwt_jwks_path": str(jwks),
        }

    def token(self, *, carriers: Sequence[str] = (), staff: bool = False, subject: str = "person-1") -> str:
        now = int(time.time())
        claims = {
            "iss": TOKENS.issuer,
            "aud": TOKENS.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": "Pat Person",
            "staff": staff,
            "carriers": list(carriers),
            "organizations": [],
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": "production"})


def logged_change(
    carrier_id: uuid.UUID, feature_id: uuid.UUID, *, before: bool, after: bool
) -> dict[str, Any]:
    """An effective change as the activity log records it (global ids)."""
    return {
        "carrierId": to_global_id("Carrier", carrier_id),
        "featureId": to_global_id("Feature", feature_id),
        "before": before,
        "after": after,
    }
