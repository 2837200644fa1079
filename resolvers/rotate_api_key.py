"""rotateApiKey: a new key with the same settings and a new expiry, shown once; the old one keeps working
for a grace period (none up to seven days), then is revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asyncpg import UniqueViolationError

from access import keyformat
from access.principal import Scope
from context import Context
from db import api_keys
from db.api_keys import ApiKeyRow, KeyStatus, NewKey
from resolvers import api_key_policy as policy
from resolvers import key_policy, rules
from resolvers.carrier_facts import facts_now
from resolvers.errors import BadUserInput, Conflict


@dataclass(frozen=True, slots=True)
class Rotated:
    key: ApiKeyRow
    secret: str
    previous: ApiKeyRow


async def rotate_api_key(
    context: Context, *, key_id: str, grace_period_seconds: int, expiry: policy.ExpiryRequest
) -> Rotated:
    now = context.now()
    authority = policy.Authority.for_operation(context.principal, "rotateApiKey")
    if not 0 <= grace_period_seconds <= policy.MAX_GRACE.total_seconds():
        raise BadUserInput(
            "gracePeriodSeconds must be between 0 (none) and 604800 (seven days).", field="gracePeriodSeconds"
        )
    async with context.changing() as change:
        conn = change.conn
        carrier, old = await policy.managed_key(context, conn, key_id)
        if old.status(now) is not KeyStatus.ACTIVE or old.revoked_at is not None:
            raise BadUserInput(
                f"Key {old.hint} is not active (or already on its way out); issue a new key instead.",
                field="id",
            )
        authority.refuse_if_stronger(old)
        # With a grace period the old key stays active beside the new one: that needs room under the limit.
        operation = "rotateApiKeyWithGracePeriod" if grace_period_seconds > 0 else "rotateApiKey"
        facts = await facts_now(conn, context, carrier, now)
        rules.refuse(rules.first_refusal(operation, context.principal, facts))
        # The new key follows the carrier's key policy now: its scopes and allowlist are the old key's,
        # so an old key that no longer meets them is updated first; the grace period within the policy's.
        limits = await key_policy.in_transaction(conn, context.settings, old.carrier_id)
        key_policy.refuse_grace_period(limits, grace_period_seconds, field="gracePeriodSeconds")
        key_policy.refuse_scopes(limits, frozenset(Scope(s) for s in old.scopes), field="id", rotating=True)
        key_policy.refuse_allowlist(limits, len(old.ip_allowlist), field="id", rotating=True)
        # The new key's expiry: as asked, else the policy's default from now (not the old key's lifetime).
        expires_at = policy.expiry(context, expiry, now=now, authority=authority, limits=limits)
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
                        ip_allowlist=old.allowlist,
                        expires_at=expires_at,
                        created_at=now,
                        created_by=context.principal.audit_fields(),
                        rotated_from_id=old.id,
                    ),
                )
        except UniqueViolationError:
            raise Conflict(f"Key {old.hint} was already rotated.", field="id") from None
        previous = await api_keys.revoke(
            conn,
            key_id=old.id,
            at=now + timedelta(seconds=grace_period_seconds),
            by=context.principal.audit_fields(),
            reason=f"rotated: replaced by {issued.hint}",
            now=now,
        )
        assert previous.revoked_at is not None
        await change.record(
            policy.event(
                "apiKey.rotate",
                carrier,
                now,
                before=old,
                after=new,
                noted={"previousKeyRevokedAt": previous.revoked_at.isoformat()},
            )
        )
    return Rotated(new, issued.secret, previous)
