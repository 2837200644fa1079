"""attachCarrierToOrganization ("Add to existing Organization"): only for a carrier in none."""

from __future__ import annotations

from context import Context
from resolvers import membership
from resolvers.membership import Membership


async def attach_carrier(
    context: Context,
    *,
    carrier_id: str,
    organization_id: str,
    expected_version: int | None,
    reason: str | None = None,
) -> Membership:
    return await membership.change(
        context,
        membership.Request(
            action="carrier.attach",
            carrier_id=carrier_id,
            target_organization_id=organization_id,
            expected_version=expected_version,
            reason=reason,
        ),
    )
