"""Refused attempts at restricted functions, recorded in the activity log like any change: one row
per request, however many fields (or aliases of one) it was refused."""

from __future__ import annotations

import uuid
from collections import Counter

from access.principal import PrincipalKind
from context import Context
from db import activity, carriers
from db.activity import Event
from db.pool import Connection
from services.key_usage import RefusalReason


def note_scope_refusals(context: Context) -> None:
    """A key used for what its scopes do not cover: a refused use per field, in its usage record."""
    principal = context.principal
    if principal.kind is not PrincipalKind.API_KEY or not principal.id or context.key_usage is None:
        return
    for coordinate in context.scope_refusals.values():
        context.key_usage.note_refusal(
            uuid.UUID(principal.id),
            RefusalReason.MISSING_SCOPE,
            context.now(),
            context.client_address,
            coordinate,
        )


async def _recorded_under(context: Context, conn: Connection, named: uuid.UUID | None) -> uuid.UUID | None:
    """The carrier a refusal belongs to: the one the call named when the caller reaches it (its
    administrators and the caller then see it in its log), else the calling key's own carrier."""
    if named is not None:
        reachable = await carriers.by_ids(conn, reach=context.principal.reach, ids=[named])
        if named in reachable:
            return named
    return context.principal.carrier_id


async def record_refusals(context: Context) -> None:
    """The request's refusals as one row: the first field's action, every field with how often."""
    if not context.refusals:
        return
    refusals = list(context.refusals.values())
    first = refusals[0]
    times = Counter(refusal.coordinate for refusal in refusals)
    reasons = list(dict.fromkeys(refusal.reason for refusal in refusals))
    async with context.db.acquire() as conn:
        carrier_id = await _recorded_under(context, conn, first.carrier_id)
        organization_id = await carriers.organization_of(conn, carrier_id=carrier_id) if carrier_id else None
        await activity.record(
            conn,
            origin=context.origin,
            event=Event(
                action=first.action,
                outcome="refused",
                carrier_id=carrier_id,
                organization_id=organization_id,
                after={"refusedFields": [{"field": field, "times": count} for field, count in times.items()]},
                reason="; ".join(reasons)[:500],
            ),
        )
