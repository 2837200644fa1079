"""updateApiKey: description, allowlist, scopes and expiry (never beyond the caller's own)."""

from __future__ import annotations

from collections.abc import Sequence

from access.principal import Scope
from context import Context
from db import api_keys
from db.api_keys import ApiKeyRow, KeyStatus
from resolvers import api_key_policy as policy
from resolvers import key_policy
from resolvers.errors import BadUserInput, stale


async def update_api_key(
    context: Context,
    *,
    key_id: str,
    description: str | None,
    scopes: Sequence[Scope] | None,
    ip_allowlist: Sequence[str] | None,
    expiry: policy.ExpiryRequest,
    expected_version: int | None,
) -> ApiKeyRow:
    now = context.now()
    authority = policy.Authority.for_operation(context.principal, "updateApiKey")
    new_description = policy.description(description) if description is not None else None
    new_scopes = authority.scopes_within(scopes) if scopes is not None else None
    new_allowlist = (
        authority.allowlist_within(policy.allowlist(ip_allowlist)) if ip_allowlist is not None else None
    )
    async with context.changing() as change:
        conn = change.conn
        carrier, before = await policy.managed_key(context, conn, key_id)
        if expected_version is not None and before.version != expected_version:
            raise stale("API key", before.version)
        if before.status(now) is not KeyStatus.ACTIVE:
            raise BadUserInput(
                f"Key {before.hint} is {before.status(now).value.lower()}; it cannot change.", field="id"
            )
        authority.refuse_if_stronger(before)
        if new_scopes is not None and before.carrier_id is None:
            new_scopes = policy.service_scopes(new_scopes)
        # What changes follows the carrier's key policy now; what stays as it was is left (a key that no
        # longer meets a tightened policy keeps working, and says so: ApiKey.policyGaps).
        limits = await key_policy.in_transaction(conn, context.settings, before.carrier_id)
        if scopes is not None:
            key_policy.refuse_scopes(limits, frozenset(scopes), field="scopes")
        if new_allowlist is not None:
            key_policy.refuse_allowlist(limits, len(new_allowlist), field="ipAllowlist")
        # The expiry, when given, is judged now (the policy's maximum from today), like a new key's.
        expires_at = (
            policy.expiry(context, expiry, now=now, authority=authority, limits=limits)
            if expiry.given
            else None
        )
        after = await api_keys.update(
            conn,
            key_id=before.id,
            description=new_description,
            ip_allowlist=new_allowlist,
            scopes=new_scopes,
            expires_at=expires_at,
            clear_expiry=expiry.never_expires,
            now=now,
        )
        await change.record(policy.event("apiKey.update", carrier, now, before=before, after=after))
    return after
