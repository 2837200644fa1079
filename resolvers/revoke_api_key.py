"""revokeApiKey: the next request with the key fails, on every server instance."""

from __future__ import annotations

from context import Context
from db import api_keys
from db.api_keys import ApiKeyRow
from resolvers import api_key_policy as policy
from resolvers import validation


async def revoke_api_key(context: Context, *, key_id: str, reason: str) -> ApiKeyRow:
    now = context.now()
    authority = policy.Authority.for_operation(context.principal, "revokeApiKey")
    reason = validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)
    async with context.changing() as change:
        conn = change.conn
        carrier, before = await policy.managed_key(context, conn, key_id)
        authority.refuse_if_stronger(before)
        if before.revoked_at is not None and before.revoked_at <= now:
            change.unchanged()  # already revoked: nothing more to do
            return before
        after = await api_keys.revoke(
            conn, key_id=before.id, at=now, by=context.principal.audit_fields(), reason=reason, now=now
        )
        await change.record(
            policy.event("apiKey.revoke", carrier, now, before=before, after=after, reason=reason)
        )
    return after
