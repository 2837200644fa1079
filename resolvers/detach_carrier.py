"""detachCarrierFromOrganization: the carrier leaves its organization (a no-op if it has none)."""

from __future__ import annotations

from context import Context
from resolvers import membership
from resolvers.membership import Membership


async def detach_carrier(
    context: Context, *, carrier_id: str, expected_version: int | None, reason: str | None = None
) -> Membership:
    return await membership.change(
        context,
        membership.Request(
            action="carrier.detach",
            carrier_id=carrier_id,
            target_organization_id=None,
            expected_version=expected_version,
            reason=reason,
        ),
    )
