"""createApiKey and createServiceKey: issue a key for a carrier, or a service key (no carrier, read
scopes only, staff only). The secret is in this answer and nowhere else, ever."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from access import keyformat
from access.principal import Scope
from context import Context
from db import api_keys
from db.api_keys import ApiKeyRow, NewKey
from resolvers import api_key_policy as policy
from resolvers import key_policy, rules, validation
from resolvers.carrier_facts import facts_now
from resolvers.errors import Conflict


@dataclass(frozen=True, slots=True)
class Issued:
    key: ApiKeyRow
    # None when a retry with the same idempotency key found the key issued the first time.
    secret: str | None


async def create_api_key(
    context: Context,
    *,
    carrier_id: str | None,
    description: str,
    scopes: Sequence[Scope],
    ip_allowlist: Sequence[str],
    expiry: policy.ExpiryRequest,
    idempotency_key: str | None,
) -> Issued:
    now = context.now()
    authority = policy.Authority.for_operation(context.principal, "createApiKey")
    description = policy.description(description)
    granted = authority.scopes_within(scopes)
    networks = authority.allowlist_within(policy.allowlist(ip_allowlist))
    if idempotency_key is not None:
        idempotency_key = validation.text(idempotency_key, field="idempotencyKey", label="An idempotency key")
    if carrier_id is None:
        rules.refuse(rules.service_keys_by_staff(context.principal, field=None))
        granted = policy.service_scopes(granted)
    async with context.changing() as change:
        conn = change.conn
        carrier = await policy.managed_carrier(context, conn, carrier_id) if carrier_id is not None else None
        if carrier is None:
            await api_keys.lock_service_keys(conn)
        if idempotency_key is not None:
            earlier = await api_keys.by_idempotency_key(
                conn, carrier_id=carrier.id if carrier else None, idempotency_key=idempotency_key
            )
            if earlier is not None:
                if earlier.description != description or sorted(earlier.scopes) != granted:
                    raise Conflict(
                        "This idempotency key was used for a different key; use a new idempotency key.",
                        field="idempotencyKey",
                    )
                change.unchanged()  # a retry: the key was issued and recorded the first time
                return Issued(earlier, None)
        facts = await facts_now(conn, context, carrier, now)
        rules.refuse(rules.first_refusal("createApiKey", context.principal, facts))
        # The carrier's key policy (its organization's and staff's tightening within the platform's).
        limits = await key_policy.in_transaction(conn, context.settings, carrier.id if carrier else None)
        key_policy.refuse_scopes(limits, frozenset(scopes), field="scopes")
        key_policy.refuse_allowlist(limits, len(networks), field="ipAllowlist")
        expires_at = policy.expiry(context, expiry, now=now, authority=authority, limits=limits)
        issued = keyformat.generate(context.settings.key_environment)
        key = await api_keys.insert(
            conn,
            NewKey(
                carrier_id=carrier.id if carrier else None,
                description=description,
                secret_hash=issued.secret_hash,
                hint=issued.hint,
                environment=issued.environment,
                scopes=granted,
                ip_allowlist=networks,
                expires_at=expires_at,
                created_at=now,
                created_by=context.principal.audit_fields(),
                idempotency_key=idempotency_key,
            ),
        )
        await change.record(policy.event("apiKey.create", carrier, now, after=key))
    return Issued(key, issued.secret)
