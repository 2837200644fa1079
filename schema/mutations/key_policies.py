"""The API key policy's levels: an organization's (its administrators and staff) and one carrier's
tightening (staff). Each is refused, naming the rule and the level, where it would loosen a level above
(resolvers/set_key_policy.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from context import Context
from db.key_policies import PolicyValues
from resolvers.set_key_policy import PolicySet, set_carrier_key_policy, set_organization_key_policy
from schema.api_key_policy import ApiKeyPolicy, KeyPolicySettings, PolicyOwner
from schema.carrier import Carrier
from schema.directives import KEYS_WRITE, Restricted
from schema.enums import ApiKeyScope
from schema.mutations.results import mutation, result_union
from schema.organization import Organization
from schema.user_errors import ConflictError, ForbiddenError, NotFoundError, ValidationError

CARRIER_POLICY = Restricted(reason="a carrier's own key policy")
REASON = "Why (optional, at most 500 characters); kept in the activity log."
EXPECTED_VERSION = (
    "The level's `ownKeyPolicy.version` you last saw (0: never set); the change is refused with a "
    "ConflictError if someone changed it since."
)


@strawberry.input(
    description="What one level of the key policy says, in full: each value replaces the level's own, and "
    "a null (or an omitted field) says nothing (the levels above decide). No value may be looser than what "
    "the levels above set."
)
class KeyPolicyValues:
    max_lifetime_days: int | None = strawberry.field(
        default=None, description="The longest lifetime a key may be given, in days (at least 1)."
    )
    allowlist_required: bool | None = strawberry.field(
        default=None, description="True: every key needs an IP allowlist."
    )
    allowed_scopes: list[ApiKeyScope] | None = strawberry.field(
        default=None, description="The scopes keys may hold (at least one)."
    )
    max_grace_period_seconds: int | None = strawberry.field(
        default=None, description="The longest a rotated key may keep working (0: none)."
    )
    non_expiring_allowed: bool | None = strawberry.field(
        default=None,
        description="False forbids keys that never expire; true only where the levels above allow them.",
    )

    def values(self) -> PolicyValues:
        return PolicyValues(
            max_lifetime_days=self.max_lifetime_days,
            allowlist_required=self.allowlist_required,
            allowed_scopes=sorted({s.value for s in self.allowed_scopes})
            if self.allowed_scopes is not None
            else None,
            max_grace_period_seconds=self.max_grace_period_seconds,
            non_expiring_allowed=self.non_expiring_allowed,
        )


@strawberry.input(description="An organization's key policy, binding every carrier of it.")
class SetOrganizationKeyPolicyInput(KeyPolicyValues):
    organization_id: strawberry.ID = strawberry.field(description="The organization.")
    reason: str | None = strawberry.field(default=None, description=REASON)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Staff's tightening of one carrier's key policy, within its organization's.")
class SetCarrierKeyPolicyInput(KeyPolicyValues):
    carrier_id: strawberry.ID = strawberry.field(description="The carrier.")
    reason: str | None = strawberry.field(default=None, description=REASON)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="An organization's key policy after the change.")
class OrganizationKeyPolicyPayload:
    organization: Organization = strawberry.field(description="The organization.")
    own_key_policy: KeyPolicySettings = strawberry.field(description="What it sets now.")
    api_key_policy: ApiKeyPolicy = strawberry.field(
        description="What its carriers follow now (before any carrier's own tightening)."
    )


@strawberry.type(description="A carrier's key policy after the change.")
class CarrierKeyPolicyPayload:
    carrier: Carrier = strawberry.field(description="The carrier.")
    own_key_policy: KeyPolicySettings = strawberry.field(description="What staff set for it now.")
    api_key_policy: ApiKeyPolicy = strawberry.field(description="What its keys follow now.")


PolicyErrors = NotFoundError | ValidationError | ForbiddenError | ConflictError
SetOrganizationKeyPolicyResult = Annotated[
    OrganizationKeyPolicyPayload | PolicyErrors, result_union("SetOrganizationKeyPolicyResult")
]
SetCarrierKeyPolicyResult = Annotated[
    CarrierKeyPolicyPayload | PolicyErrors, result_union("SetCarrierKeyPolicyResult")
]


async def organization_payload(context: Context, result: PolicySet) -> OrganizationKeyPolicyPayload:
    assert result.organization is not None
    organization = result.organization
    own, effective = await _levels(context, result, PolicyOwner(organization.id, organization=True))
    return OrganizationKeyPolicyPayload(
        organization=Organization.from_row(organization), own_key_policy=own, api_key_policy=effective
    )


async def carrier_payload(context: Context, result: PolicySet) -> CarrierKeyPolicyPayload:
    assert result.carrier is not None
    own, effective = await _levels(context, result, PolicyOwner(result.carrier.id))
    return CarrierKeyPolicyPayload(
        carrier=Carrier.from_row(result.carrier), own_key_policy=own, api_key_policy=effective
    )


async def _levels(
    context: Context, result: PolicySet, owner: PolicyOwner
) -> tuple[KeyPolicySettings, ApiKeyPolicy]:
    """What the level sets now, and what its keys follow now (an organization's: before any carrier's own
    tightening)."""
    from resolvers import key_policy

    if owner.organization:
        limits = key_policy.of_organization(context.settings, result.own)
    else:
        limits = await key_policy.for_carrier(context, owner.id)
    return KeyPolicySettings.of(result.own), ApiKeyPolicy.of(context.settings, limits, owner)


def _run(set_level: Callable[..., Awaitable[PolicySet]], owner: Callable[[Any], str]) -> Any:
    """A level's setter given the input: the owner's id (`owner`), the values, the reason and version."""
    return lambda context, input: set_level(
        context,
        owner(input),
        values=input.values(),
        reason=input.reason,
        expected_version=input.expected_version,
    )


@strawberry.type
class KeyPolicyMutations:
    set_organization_key_policy = mutation(
        "Set an organization's API key policy, which binds every carrier of it: within the platform's, by "
        "the organization's administrators and staff. Keys issued before keep working; those that fall short "
        "list how (ApiKey.policyGaps).",
        guard=KEYS_WRITE,
        takes=SetOrganizationKeyPolicyInput,
        answers=SetOrganizationKeyPolicyResult,
        run=_run(set_organization_key_policy, lambda input: input.organization_id),
        payload=organization_payload,
    )
    set_carrier_key_policy = mutation(
        "Tighten one carrier's API key policy beyond its organization's (staff only). Keys issued before "
        "keep working; those that fall short list how (ApiKey.policyGaps).",
        guard=CARRIER_POLICY,
        takes=SetCarrierKeyPolicyInput,
        answers=SetCarrierKeyPolicyResult | None,
        run=_run(set_carrier_key_policy, lambda input: input.carrier_id),
        payload=carrier_payload,
    )
