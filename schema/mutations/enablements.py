"""Feature enablements (a restricted function): a feature switched on, off, or back to inherit, for one
carrier or for an organization (its carriers inherit it unless they override it)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from context import Context
from db.enablements import EnablementState, OwnerEnablements
from resolvers import carriers as carrier_reads
from resolvers import organizations as organization_reads
from resolvers.set_enablement import EnablementSet, set_carrier_enablement, set_organization_enablement
from schema.directives import Restricted
from schema.effective_change import EffectiveChange, effective_changes
from schema.enablement import Enablement, enablements
from schema.mutations.results import forward, mutation, result_union
from schema.user_errors import NotFoundError, ValidationError

ENABLEMENTS = Restricted(reason="feature enablements")
FEATURE_KEY = "The feature's key, e.g. inventory.waybills."
REASON = "Why; kept in the activity log (1 to 500 characters)."


@strawberry.input(description="Switch a feature for one carrier.")
class SetCarrierEnablementInput:
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    feature_key: str = strawberry.field(description=FEATURE_KEY)
    state: EnablementState = strawberry.field(
        description="ENABLED, DISABLED, or INHERIT to remove the override."
    )
    reason: str = strawberry.field(description=REASON)


@strawberry.input(
    description="Switch a feature for an organization: its carriers inherit it unless they override it."
)
class SetOrganizationEnablementInput:
    organization_id: strawberry.ID = strawberry.field(description="The organization.")
    feature_key: str = strawberry.field(description=FEATURE_KEY)
    state: EnablementState = strawberry.field(
        description="ENABLED, DISABLED, or INHERIT to remove the setting."
    )
    reason: str = strawberry.field(description=REASON)


@strawberry.type(description="A feature's setting at one level after the change.")
class EnablementPayload:
    enablement: Enablement | None = strawberry.field(description="The setting and effective value now.")
    effective_changes: list[EffectiveChange] = strawberry.field(
        description="Features whose effective value changed, for which carriers (an organization's "
        "setting reaches every carrier that inherits it; overrides are never touched)."
    )


SetEnablementResult = Annotated[
    EnablementPayload | NotFoundError | ValidationError, result_union("SetEnablementResult")
]


def enablement_payload(context: Context, found: OwnerEnablements, result: EnablementSet) -> EnablementPayload:
    """The changed feature's enablement as the owner now reads it, and what the change did."""
    changed = next((e for e in enablements(context, found) if e.row.feature_key == result.feature.key), None)
    return EnablementPayload(enablement=changed, effective_changes=effective_changes(result.changes))


async def carrier_enablement_payload(context: Context, result: EnablementSet) -> EnablementPayload:
    return enablement_payload(context, await carrier_reads.enablements_of(context, result.owner_id), result)


async def organization_enablement_payload(context: Context, result: EnablementSet) -> EnablementPayload:
    return enablement_payload(
        context, await organization_reads.enablements_of(context, result.owner_id), result
    )


# What the mutations run (also what approving a request for one runs: schema/change_request.py).
run_set_carrier_enablement = forward(set_carrier_enablement)
run_set_organization_enablement = forward(set_organization_enablement)


@strawberry.type
class EnablementMutations:
    set_carrier_enablement = mutation(
        "Switch a feature on or off for one carrier, or back to INHERIT, with a reason.",
        guard=ENABLEMENTS,
        takes=SetCarrierEnablementInput,
        answers=SetEnablementResult | None,
        run=run_set_carrier_enablement,
        payload=carrier_enablement_payload,
    )
    set_organization_enablement = mutation(
        "Switch a feature for an organization; its carriers inherit it unless they override it.",
        guard=ENABLEMENTS,
        takes=SetOrganizationEnablementInput,
        answers=SetEnablementResult | None,
        run=run_set_organization_enablement,
        payload=organization_enablement_payload,
    )
