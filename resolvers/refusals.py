"""Refused attempts at restricted functions, recorded in the activity log like any change: one row
per request, however many fields (or aliases of one) it was refused."""

from __future__ import annotations

from collections import Counter

from context import Context
from db import activity, carriers
from db.activity import Event
from resolvers.changes import origin


async def record_refusals(context: Context) -> None:
    """The request's refusals as one row: the first field's action, every field with how often."""
    if not context.refusals:
        return
    first = context.refusals[0]
    times = Counter(refusal.coordinate for refusal in context.refusals)
    reasons = list(dict.fromkeys(refusal.reason for refusal in context.refusals))
    carrier_id = context.principal.carrier_id
    async with context.db.acquire() as conn:
        organization_id = await carriers.organization_of(conn, carrier_id=carrier_id) if carrier_id else None
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action=first.action,
                outcome="refused",
                carrier_id=carrier_id,
                organization_id=organization_id,
                after={"refusedFields": [{"field": field, "times": count} for field, count in times.items()]},
                reason="; ".join(reasons)[:500],
            ),
        )
