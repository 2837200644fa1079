"""A carrier's keys and its activity as rows for an audit's CSV, with the rules every read follows:
the carrier must be in the caller's reach (another tenant's is not found), the caller must hold the
scope (KEYS_READ, ACTIVITY_READ), and an event's contents need the scope of what it is about."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from access.activity_scopes import content_scopes
from access.principal import PrincipalKind, Scope
from context import Context
from db import activity, api_keys
from db.carriers import CarrierRow
from db.key_usage import RefusalReason
from db.pool import Connection
from resolvers.activity_contents import public
from resolvers.api_key_policy import scope_names
from resolvers.errors import Forbidden
from resolvers.failures import NotFoundFailure
from resolvers.global_ids import to_global_id
from resolvers.validation import object_id

API_KEY_COLUMNS = [
    "id", "description", "hint", "environment", "scopes", "ip_allowlist", "status", "created_at",
    "created_by", "expires_at", "revoked_at", "revoked_by", "revocation_reason", "last_used_at",
    "last_used_address",
]  # fmt: skip
ACTIVITY_COLUMNS = [
    "id", "occurred_at", "actor_kind", "actor_id", "actor_name", "actor_is_staff", "action", "outcome",
    "target_type", "target_id", "reason", "request_id", "client_address", "before", "after",
]  # fmt: skip


async def carrier_for_export(context: Context, carrier_global_id: str, scope: Scope) -> CarrierRow:
    """The carrier whose rows are exported: in reach, and the caller holds `scope`."""
    principal = context.principal
    if not principal.holds(scope):
        if principal.kind is PrincipalKind.API_KEY and principal.id and context.key_usage is not None:
            context.key_usage.note_refusal(
                uuid.UUID(principal.id),
                RefusalReason.MISSING_SCOPE,
                context.now(),
                context.client_address,
                f"export needing {scope.name}",
            )
        raise Forbidden(
            f"This API key lacks the scope {scope.name}, which this export needs.", requiredScope=scope.name
        )
    carrier_id = object_id(carrier_global_id, type_name="Carrier", field="carrier")
    found = await context.loaders.carrier_by_id.load(carrier_id)
    if found is None:
        raise NotFoundFailure(f"No Carrier with id {carrier_global_id[:100]!r} was found.", field="carrier")
    return found


@asynccontextmanager
async def _snapshot(context: Context) -> AsyncIterator[Connection]:
    """One connection in one read-only snapshot, for a cursor over many rows."""
    async with context.db.acquire() as conn:
        if conn.is_in_transaction():
            yield conn
        else:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                yield conn


async def api_key_rows(context: Context, carrier: CarrierRow) -> AsyncIterator[list[str]]:
    now = context.now()
    async with _snapshot(context) as conn:
        async for key in api_keys.of_carrier(conn, carrier_id=carrier.id):
            yield [
                to_global_id("ApiKey", key.id),
                key.description,
                key.hint,
                key.environment,
                " ".join(scope_names(key.scopes)),
                " ".join(str(n) for n in key.ip_allowlist),
                key.status(now).value,
                key.created_at.isoformat(),
                f"{key.created_by_kind}:{key.created_by_name or key.created_by_id}",
                key.expires_at.isoformat() if key.expires_at else "",
                key.revoked_at.isoformat() if key.revoked_at else "",
                f"{key.revoked_by_kind}:{key.revoked_by_name or key.revoked_by_id}"
                if key.revoked_by_kind
                else "",
                key.revoked_reason or "",
                key.last_used_at.isoformat() if key.last_used_at else "",
                key.last_used_address or "",
            ]


async def activity_rows(context: Context, carrier: CarrierRow) -> AsyncIterator[list[str]]:
    """The carrier's events, newest first, contents in the API's terms; contents the caller's scopes do
    not cover are left empty."""
    held = context.principal.scopes
    async with _snapshot(context) as conn:
        async for event in activity.of_carrier(conn, carrier_id=carrier.id):
            readable = content_scopes(event.action, event.before, event.after) <= held
            yield [
                to_global_id("ActivityEvent", event.id),
                event.occurred_at.isoformat(),
                event.actor_kind,
                event.actor_id or "",
                event.actor_name or "",
                "true" if event.actor_is_staff else "false",
                event.action,
                event.outcome,
                event.target_type or "",
                to_global_id(event.target_type, event.target_id)
                if event.target_type and event.target_id
                else "",
                event.reason or "",
                event.request_id or "",
                event.client_address or "",
                json.dumps(public(event.before)) if readable and event.before is not None else "",
                json.dumps(public(event.after)) if readable and event.after is not None else "",
            ]
