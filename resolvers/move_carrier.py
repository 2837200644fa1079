"""moveCarrierToOrganization: from one organization to another, saying which one it leaves."""

from __future__ import annotations

from context import Context
from resolvers import membership
from resolvers.failures import InvalidFailure
from resolvers.membership import Membership


async def move_carrier(
    context: Context,
    *,
    carrier_id: str,
    from_organization_id: str,
    to_organization_id: str,
    expected_version: int | None,
    reason: str | None = None,
) -> Membership:
    if from_organization_id == to_organization_id:
        raise InvalidFailure("The carrier is already in that organization.", field="toOrganizationId")
    return await membership.change(
        context,
        membership.Request(
            action="carrier.move",
            carrier_id=carrier_id,
            target_organization_id=to_organization_id,
            expected_version=expected_version,
            from_organization_id=from_organization_id,
            target_field="toOrganizationId",
            reason=reason,
        ),
    )
