"""What a change of organization would do to a carrier's effective enablements, before it is made: the
preview a person sees before attaching, moving or detaching (as enablement changes preview theirs)."""

from __future__ import annotations

from context import Context
from db import enablements
from resolvers.carriers import carrier_by_id
from resolvers.changes import EffectiveChange, diff
from resolvers.nodes import decode_id
from resolvers.organizations import organization_by_id


async def membership_preview(
    context: Context, *, carrier_id: str, organization_id: str | None
) -> list[EffectiveChange] | None:
    """The features whose effective value would change were the carrier in `organization_id` (None:
    in none), as the mutations would answer them; None when either is not in the caller's reach."""
    carrier = await carrier_by_id(context, decode_id(carrier_id, "Carrier"))
    if carrier is None:
        return None
    target = None
    if organization_id is not None:
        target = await organization_by_id(context, decode_id(organization_id, "Organization"))
        if target is None:
            return None
    async with context.db.acquire() as conn:
        now, then = await enablements.effective_if_in(
            conn, carrier_id=carrier.id, organization_id=target.id if target else None
        )
    return diff(now, then)
