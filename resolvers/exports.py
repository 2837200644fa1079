"""A carrier's keys and its activity as rows for an audit's CSV, with the rules every read follows:
the carrier must be in the caller's reach (another tenant's is not found), the caller must hold the
scope (KEYS_READ, ACTIVITY_READ), and an event's contents need the scope of what it is about."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from access.activity_scopes import content_scopes
from access.principal import PrincipalKind, Scope
from context import Context
from db import activity, api_keys, key_usage
from db.activity import ActivityFilter
from db.carriers import CarrierRow
from db.pool import Connection, Database
from resolvers import filters
from resolvers.activity import checked
from resolvers.activity_contents import public
from resolvers.api_key_policy import scope_names
from resolvers.errors import BadUserInput, Forbidden, NotFound
from resolvers.global_ids import to_global_id
from resolvers.validation import object_id
from services.key_usage import RefusalReason

API_KEY_COLUMNS = [
    "id", "description", "hint", "environment", "scopes", "ip_allowlist", "status", "created_at",
    "created_by", "expires_at", "revoked_at", "revoked_by", "revocation_reason", "last_used_at",
    "last_used_address",
]  # fmt: skip
KEY_USAGE_COLUMNS = ["api_key_id", "hint", "hour", "outcome", "requests"]
KEY_USAGE_PARAMETERS = ("apiKeyId", "since", "until")
# Without `since`: the last 30 days, as the Tools page charts them.
KEY_USAGE_DEFAULT_PERIOD = timedelta(days=30)
# The exports, as the permissions name them (they are not fields), with the scope each needs.
EXPORTS = {"exportApiKeys": Scope.KEYS_READ, "exportActivity": Scope.ACTIVITY_READ}

# An export's rows, read from a connection in a snapshot (its parameters already checked).
RowSource = Callable[[Connection], AsyncGenerator[list[str], None]]

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
        raise NotFound(f"No Carrier with id {carrier_global_id[:100]!r} was found.", field="carrier")
    return found


@asynccontextmanager
async def snapshot(database: Database, idle_limit_seconds: float) -> AsyncIterator[Connection]:
    """One connection in one read-only snapshot, for a cursor over many rows. Should the connection
    ever be left waiting in its transaction (a stream that stalls), PostgreSQL ends the session after
    `idle_limit_seconds` itself: the pool cannot be pinned even by a bug here."""
    async with database.acquire() as conn:
        if conn.is_in_transaction():  # tests: the connection of a rolled-back test transaction
            yield conn
            return
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await conn.execute(
                f"set local idle_in_transaction_session_timeout = {int(idle_limit_seconds * 1000)}"
            )
            yield conn


def api_key_rows(context: Context, carrier: CarrierRow, query: Mapping[str, str]) -> RowSource:
    """The carrier's keys, oldest first; the export takes no parameters."""
    if query:
        name = sorted(query)[0]
        raise BadUserInput(f"This export takes no parameters; {name!r} is not one.", argument=name)
    now = context.now()

    async def rows(conn: Connection) -> AsyncGenerator[list[str], None]:
        async for key in api_keys.of_carrier(conn, carrier_id=carrier.id):
            yield [
                to_global_id("ApiKey", key.id),
                key.description,
                key.hint,
                key.environment,
                " ".join(scope_names(key.scopes)),
                " ".join(key.allowlist),
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

    return rows


ACTIVITY_PARAMETERS = ("includeOrganization", "action", "actorId", "outcome", "since", "until")


def activity_filter(carrier: CarrierRow, query: Mapping[str, str]) -> ActivityFilter:
    """The export's filter from its query parameters, as `activity(carrierId: ...)` takes them:
    includeOrganization (default true: the organization's own events too), action, actorId, outcome
    (SUCCEEDED or REFUSED), since and until (ISO 8601 with a time zone)."""
    unknown = sorted(set(query) - set(ACTIVITY_PARAMETERS))
    if unknown:
        raise BadUserInput(
            f"Unknown parameter {unknown[0]!r}; this export takes {', '.join(ACTIVITY_PARAMETERS)}.",
            argument=unknown[0],
        )
    outcome = query.get("outcome")
    if outcome is not None and outcome not in ("SUCCEEDED", "REFUSED"):
        raise BadUserInput("`outcome` is SUCCEEDED or REFUSED.", argument="outcome")
    including = query.get("includeOrganization", "true").lower()
    if including not in ("true", "false"):
        raise BadUserInput("`includeOrganization` is true or false.", argument="includeOrganization")
    return checked(
        ActivityFilter(
            actor_id=query.get("actorId"),
            action=query.get("action"),
            since=filters.instant_text(query.get("since"), "since"),
            until=filters.instant_text(query.get("until"), "until"),
            carrier_id=carrier.id,
            with_organization=including == "true",
            outcome=outcome.lower() if outcome else None,
        )
    )


def activity_rows(context: Context, carrier: CarrierRow, query: Mapping[str, str]) -> RowSource:
    """The carrier's events (and its organization's own, unless asked not to), newest first, filtered
    as the query parameters say; contents in the API's terms, left empty where the caller's scopes do
    not cover them."""
    where = activity_filter(carrier, query)
    reach = context.principal.reach
    held = context.principal.scopes

    async def rows(conn: Connection) -> AsyncGenerator[list[str], None]:
        async for event in activity.all_filtered(conn, reach=reach, where=where):
            readable = content_scopes(event.action, event.before, event.after) <= held
            yield [
                to_global_id("ActivityEvent", event.id),
                event.occurred_at.isoformat(),
                event.actor_kind,
                event.actor_id or "",
                event.actor_name or "",
                "true" if event.actor_is_staff else "false",
                event.action,
                event.outcome.upper(),
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

    return rows


def key_usage_rows(context: Context, carrier: CarrierRow, query: Mapping[str, str]) -> RowSource:
    """The carrier's keys' requests per hour and outcome (only hours with requests), oldest key first;
    `apiKeyId` for one key, `since` and `until` (ISO 8601 with a time zone) for the period (default: the
    last 30 days). The same permission as the keys' export (KEYS_READ): it is the keys' own record."""
    unknown = sorted(set(query) - set(KEY_USAGE_PARAMETERS))
    if unknown:
        raise BadUserInput(
            f"Unknown parameter {unknown[0]!r}; this export takes {', '.join(KEY_USAGE_PARAMETERS)}.",
            argument=unknown[0],
        )
    key_id = (
        object_id(query["apiKeyId"], type_name="ApiKey", field="apiKeyId") if "apiKeyId" in query else None
    )
    until = filters.instant_text(query.get("until"), "until") or context.now()
    since = filters.instant_text(query.get("since"), "since") or _period_before(until)

    async def rows(conn: Connection) -> AsyncGenerator[list[str], None]:
        async for count in key_usage.of_carrier(
            conn, carrier_id=carrier.id, key_id=key_id, since=since, until=until
        ):
            yield [
                to_global_id("ApiKey", count.key_id),
                count.hint,
                count.hour.isoformat(),
                count.outcome,
                str(count.uses),
            ]

    return rows


def _period_before(until: datetime) -> datetime:
    """The default period's start: 30 days before `until`, or the calendar's first day if that is nearer."""
    try:
        return until - KEY_USAGE_DEFAULT_PERIOD
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)
