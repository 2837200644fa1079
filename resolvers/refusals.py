"""Refused attempts at restricted functions, recorded in the activity log like any change."""

from __future__ import annotations

from context import Context
from db import activity
from db.activity import Event
from resolvers.changes import origin


async def record_refusal(context: Context, *, action: str, reason: str) -> None:
    async with context.db.acquire() as conn:
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action=action,
                outcome="refused",
                carrier_id=context.principal.carrier_id,
                reason=reason,
            ),
        )
