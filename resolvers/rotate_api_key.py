"""rotateApiKey: a new key with the same settings, shown once; the old one keeps working for a grace
period (none up to seven days), then is revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asyncpg import UniqueViolationError

from access import keyformat
from access.principal import Scope
from context import Context
from db import activity, api_keys
from db.activity import Event
from db.api_keys import ApiKeyRow, KeyStatus, NewKey
from resolvers import api_key_policy as policy
from resolvers.changes import origin
from resolvers.failures import ConflictFailure, InvalidFailure


@dataclass(frozen=True, slots=True)
class Rotated:
    key: ApiKeyRow
    secret: str
    previous: ApiKeyRow


async def rotate_api_key(context: Context, *, key_id: str, grace_period_seconds: int) -> Rotated:
    now = context.now()
    if not 0 <= grace_period_seconds <= policy.MAX_GRACE.total_seconds():
        raise InvalidFailure(
            "gracePeriodSeconds must be between 0 (none) and 604800 (seven days).", field="gracePeriodSeconds"
        )
    async with context.changing() as conn:
        old = await policy.managed_key(context, conn, key_id)
        if old.status(now) is not KeyStatus.ACTIVE or old.revoked_at is not None:
            raise InvalidFailure(
                f"Key {old.hint} is not active (or already on its way out); issue a new key instead.",
                field="id",
            )
        # The replacement may not carry more than the caller could grant by creating a key.
        policy.scopes(context.principal, [Scope(s) for s in old.scopes])
        lifetime = (old.expires_at - old.created_at) if old.expires_at else None
        if lifetime is None and not (context.settings.allow_non_expiring_keys and context.principal.is_staff):
            # A key that never expired is replaced by one that does, unless policy still allows it.
            lifetime = timedelta(days=context.settings.key_default_lifetime_days)
        issued = keyformat.generate(context.settings.key_environment)
        try:
            async with conn.transaction():
                new = await api_keys.insert(
                    conn,
                    NewKey(
                        carrier_id=old.carrier_id,
                        description=old.description,
                        secret_hash=issued.secret_hash,
                        hint=issued.hint,
                        environment=issued.environment,
                        scopes=list(old.scopes),
                        ip_allowlist=[str(n) for n in old.ip_allowlist],
                        expires_at=now + lifetime if lifetime else None,
                        created_at=now,
                        created_by=context.principal.audit_fields(),
                        rotated_from_id=old.id,
                    ),
                )
        except UniqueViolationError:
            raise ConflictFailure(f"Key {old.hint} was already rotated.", field="id") from None
        previous = await api_keys.revoke(
            conn,
            key_id=old.id,
            at=now + timedelta(seconds=grace_period_seconds),
            by=context.principal.audit_fields(),
            reason=f"rotated: replaced by {issued.hint}",
            now=now,
        )
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action="apiKey.rotate",
                target_type="ApiKey",
                target_id=new.id,
                carrier_id=old.carrier_id,
                before=policy.snapshot(old, now),
                after={**policy.snapshot(new, now), "previousKeyRevokedAt": previous.revoked_at.isoformat()}
                if previous.revoked_at
                else policy.snapshot(new, now),
            ),
        )
    return Rotated(new, issued.secret, previous)
