"""createApiKey: issue a key for a carrier. The secret is in this answer and nowhere else, ever."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from access import keyformat
from access.principal import Scope
from context import Context
from db import activity, api_keys
from db.activity import Event
from db.api_keys import ApiKeyRow, NewKey
from resolvers import api_key_policy as policy
from resolvers import validation
from resolvers.changes import origin
from resolvers.failures import ConflictFailure, LimitReachedFailure


@dataclass(frozen=True, slots=True)
class Issued:
    key: ApiKeyRow
    # None when a retry with the same idempotency key found the key issued the first time.
    secret: str | None


async def create_api_key(
    context: Context,
    *,
    carrier_id: str,
    description: str,
    scopes: Sequence[Scope],
    ip_allowlist: Sequence[str],
    expires_at: datetime | None,
    never_expires: bool,
    idempotency_key: str | None,
) -> Issued:
    now = context.now()
    description = policy.description(description)
    granted = policy.scopes(context.principal, scopes)
    networks = policy.allowlist(ip_allowlist)
    expiry = policy.expiry(context, expires_at=expires_at, never_expires=never_expires, now=now)
    if idempotency_key is not None:
        idempotency_key = validation.text(idempotency_key, field="idempotencyKey", label="An idempotency key")
    async with context.changing() as conn:
        carrier = await policy.managed_carrier(context, conn, carrier_id)
        if idempotency_key is not None:
            earlier = await api_keys.by_idempotency_key(
                conn, carrier_id=carrier.id, idempotency_key=idempotency_key
            )
            if earlier is not None:
                if earlier.description != description or sorted(earlier.scopes) != granted:
                    raise ConflictFailure(
                        "This idempotency key was used for a different key; use a new idempotency key.",
                        field="idempotencyKey",
                    )
                return Issued(earlier, None)
        limit = context.settings.max_active_keys_per_carrier
        if await api_keys.count_active(conn, carrier_id=carrier.id, now=now) >= limit:
            raise LimitReachedFailure(
                f"Carrier {carrier.code} already has {limit} active keys, the most allowed; "
                "revoke one it no longer uses.",
                limit=limit,
            )
        issued = keyformat.generate(context.settings.key_environment)
        key = await api_keys.insert(
            conn,
            NewKey(
                carrier_id=carrier.id,
                description=description,
                secret_hash=issued.secret_hash,
                hint=issued.hint,
                environment=issued.environment,
                scopes=granted,
                ip_allowlist=networks,
                expires_at=expiry,
                created_at=now,
                created_by=context.principal.audit_fields(),
                idempotency_key=idempotency_key,
            ),
        )
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action="apiKey.create",
                target_type="ApiKey",
                target_id=key.id,
                carrier_id=carrier.id,
                organization_id=carrier.organization_id,
                after=policy.snapshot(key, now),
            ),
        )
    return Issued(key, issued.secret)
