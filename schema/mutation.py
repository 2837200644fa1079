"""The mutation root. Each field validates, changes one transaction's worth, and answers a payload or
a member of its error union; organization structure, enablements and the catalogue are @restricted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from db.api_keys import ApiKeyRow
from db.carriers import CarrierRow
from db.enablements import OwnerEnablements
from db.features import FeatureRow
from db.organizations import OrganizationRow
from resolvers import carriers as carrier_reads
from resolvers import organizations as organization_reads
from resolvers.api_key_policy import ExpiryRequest
from resolvers.attach_carrier import attach_carrier
from resolvers.create_api_key import Issued, create_api_key
from resolvers.create_carrier import create_carrier
from resolvers.create_feature import create_feature
from resolvers.create_organization import Created, create_organization
from resolvers.delete_organization import delete_organization
from resolvers.detach_carrier import detach_carrier
from resolvers.failures import Failure
from resolvers.global_ids import to_global_id
from resolvers.membership import Membership
from resolvers.move_carrier import move_carrier
from resolvers.rename_organization import rename_organization
from resolvers.revoke_api_key import revoke_api_key
from resolvers.rotate_api_key import Rotated, rotate_api_key
from resolvers.set_enablement import EnablementSet, set_carrier_enablement, set_organization_enablement
from resolvers.update_api_key import update_api_key
from resolvers.update_carrier import update_carrier
from resolvers.update_feature import FeatureUpdated, update_feature
from schema import inputs
from schema.api_key import ApiKey
from schema.carrier import Carrier
from schema.directives import RequiresScope, Restricted
from schema.effective_change import effective_changes
from schema.enablement import enablements
from schema.feature import Feature
from schema.organization import Organization
from schema.payloads import (
    ApiKeyPayload,
    CarrierMembershipPayload,
    CarrierPayload,
    CreateApiKeyPayload,
    DeleteOrganizationPayload,
    EnablementPayload,
    FeaturePayload,
    OrganizationPayload,
    RotateApiKeyPayload,
)
from schema.user_errors import (
    AlreadyInOrganizationError,
    ConflictError,
    ForbiddenError,
    LimitReachedError,
    NotFoundError,
    OrganizationNotEmptyError,
    ValidationError,
    user_error,
)

T = TypeVar("T")

STRUCTURE = Restricted(reason="organization structure")
ENABLEMENTS = Restricted(reason="feature enablements")
CATALOGUE = Restricted(reason="feature catalogue")
SERVICE_KEYS = Restricted(reason="service keys")
KEYS_WRITE = RequiresScope(scope=Scope.KEYS_WRITE)

CreateCarrierResult = Annotated[
    CarrierPayload | ValidationError | ConflictError,
    strawberry.union(
        "CreateCarrierResult", description="What createCarrier answers: its payload, or why nothing changed."
    ),
]
UpdateCarrierResult = Annotated[
    CarrierPayload | NotFoundError | ValidationError | ConflictError,
    strawberry.union(
        "UpdateCarrierResult", description="What updateCarrier answers: its payload, or why nothing changed."
    ),
]
CreateOrganizationResult = Annotated[
    OrganizationPayload | ValidationError | ConflictError | NotFoundError | AlreadyInOrganizationError,
    strawberry.union(
        "CreateOrganizationResult",
        description="What createOrganization answers: its payload, or why nothing changed.",
    ),
]
MembershipResult = Annotated[
    CarrierMembershipPayload | NotFoundError | ValidationError | ConflictError | AlreadyInOrganizationError,
    strawberry.union(
        "CarrierMembershipResult",
        description="What carrierMembership answers: its payload, or why nothing changed.",
    ),
]
RenameOrganizationResult = Annotated[
    OrganizationPayload | NotFoundError | ValidationError | ConflictError,
    strawberry.union(
        "RenameOrganizationResult",
        description="What renameOrganization answers: its payload, or why nothing changed.",
    ),
]
DeleteOrganizationResult = Annotated[
    DeleteOrganizationPayload | NotFoundError | ValidationError | ConflictError | OrganizationNotEmptyError,
    strawberry.union(
        "DeleteOrganizationResult",
        description="What deleteOrganization answers: its payload, or why nothing changed.",
    ),
]
SetEnablementResult = Annotated[
    EnablementPayload | NotFoundError | ValidationError,
    strawberry.union(
        "SetEnablementResult", description="What setEnablement answers: its payload, or why nothing changed."
    ),
]
CreateFeatureResult = Annotated[
    FeaturePayload | ValidationError | ConflictError,
    strawberry.union(
        "CreateFeatureResult", description="What createFeature answers: its payload, or why nothing changed."
    ),
]
CreateApiKeyResult = Annotated[
    CreateApiKeyPayload
    | NotFoundError
    | ValidationError
    | ConflictError
    | ForbiddenError
    | LimitReachedError,
    strawberry.union(
        "CreateApiKeyResult", description="What createApiKey answers: its payload, or why nothing changed."
    ),
]
UpdateApiKeyResult = Annotated[
    ApiKeyPayload | NotFoundError | ValidationError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateApiKeyResult", description="What updateApiKey answers: its payload, or why nothing changed."
    ),
]
RevokeApiKeyResult = Annotated[
    ApiKeyPayload | NotFoundError | ValidationError | ForbiddenError,
    strawberry.union(
        "RevokeApiKeyResult", description="What revokeApiKey answers: its payload, or why nothing changed."
    ),
]
RotateApiKeyResult = Annotated[
    RotateApiKeyPayload
    | NotFoundError
    | ValidationError
    | ConflictError
    | ForbiddenError
    | LimitReachedError,
    strawberry.union(
        "RotateApiKeyResult", description="What rotateApiKey answers: its payload, or why nothing changed."
    ),
]
UpdateFeatureResult = Annotated[
    FeaturePayload | NotFoundError | ValidationError | ConflictError,
    strawberry.union(
        "UpdateFeatureResult", description="What updateFeature answers: its payload, or why nothing changed."
    ),
]


async def attempt(work: Awaitable[T], success: Callable[[T], Awaitable[object]]) -> Any:
    """Run a mutation: its result through `success`, or its expected failure as a GraphQL error type.

    Typed Any: the caller's annotation (the mutation's result union) is what the schema checks."""
    try:
        result = await work
    except Failure as failure:
        return user_error(failure)
    return await success(result)


async def _membership(context: Context, result: Membership) -> CarrierMembershipPayload:
    return CarrierMembershipPayload(
        carrier=Carrier.from_row(result.carrier),
        organization=Organization.from_row(result.organization) if result.organization else None,
        previous_organization_id=(
            to_global_id("Organization", result.previous_organization_id)
            if result.previous_organization_id
            else None
        ),
        effective_changes=effective_changes(result.changes),
    )


async def _carrier_enablement(context: Context, result: EnablementSet) -> EnablementPayload:
    return _enablement_payload(context, await carrier_reads.enablements_of(context, result.owner_id), result)


async def _organization_enablement(context: Context, result: EnablementSet) -> EnablementPayload:
    return _enablement_payload(
        context, await organization_reads.enablements_of(context, result.owner_id), result
    )


def _enablement_payload(
    context: Context, found: OwnerEnablements, result: EnablementSet
) -> EnablementPayload:
    """The changed feature's enablement as the owner now reads it, and what the change did."""
    changed = next((e for e in enablements(context, found) if e.row.feature_id == result.feature.id), None)
    return EnablementPayload(
        enablement=changed,
        effective_changes=effective_changes(result.changes),
    )


@strawberry.type(description="Change organizations, carriers, enablements, the catalogue and API keys.")
class Mutation:
    @strawberry.mutation(description="Create a carrier (in no organization).", directives=[STRUCTURE])
    async def create_carrier(
        self, info: Info[Context, None], input: inputs.CreateCarrierInput
    ) -> CreateCarrierResult | None:
        async def done(row: CarrierRow) -> CarrierPayload:
            return CarrierPayload(carrier=Carrier.from_row(row))

        return await attempt(create_carrier(info.context, code=input.code, name=input.name), done)

    @strawberry.mutation(description="Rename a carrier.", directives=[STRUCTURE])
    async def update_carrier(
        self, info: Info[Context, None], input: inputs.UpdateCarrierInput
    ) -> UpdateCarrierResult | None:
        async def done(row: CarrierRow) -> CarrierPayload:
            return CarrierPayload(carrier=Carrier.from_row(row))

        work = update_carrier(
            info.context, carrier_id=input.id, name=input.name, expected_version=input.expected_version
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Create an organization ('Create new Organization'): a name and the carriers it "
        "contains, all in one transaction.",
        directives=[STRUCTURE],
    )
    async def create_organization(
        self, info: Info[Context, None], input: inputs.CreateOrganizationInput
    ) -> CreateOrganizationResult | None:
        async def done(result: Created) -> OrganizationPayload:
            attached = [Carrier.from_row(row) for row in result.carriers]
            return OrganizationPayload(
                organization=Organization.from_row(result.organization),
                carrier=attached[0] if attached else None,
                carriers=attached,
                effective_changes=effective_changes(result.changes),
            )

        work = create_organization(
            info.context,
            name=input.name,
            carrier_ids=input.carrier_ids,
            from_carrier_id=input.from_carrier_id,
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Add a carrier that is in no organization to one ('Add to existing Organization'). "
        "A carrier in another organization is refused with AlreadyInOrganizationError: move it instead.",
        directives=[STRUCTURE],
    )
    async def attach_carrier_to_organization(
        self, info: Info[Context, None], input: inputs.AttachCarrierInput
    ) -> MembershipResult | None:
        work = attach_carrier(
            info.context,
            carrier_id=input.carrier_id,
            organization_id=input.organization_id,
            expected_version=input.expected_version,
            reason=input.reason,
        )
        return await attempt(work, lambda r: _membership(info.context, r))

    @strawberry.mutation(
        description="Move a carrier from its organization to another, naming both.", directives=[STRUCTURE]
    )
    async def move_carrier_to_organization(
        self, info: Info[Context, None], input: inputs.MoveCarrierInput
    ) -> MembershipResult | None:
        work = move_carrier(
            info.context,
            carrier_id=input.carrier_id,
            from_organization_id=input.from_organization_id,
            to_organization_id=input.to_organization_id,
            expected_version=input.expected_version,
            reason=input.reason,
        )
        return await attempt(work, lambda r: _membership(info.context, r))

    @strawberry.mutation(description="Take a carrier out of its organization.", directives=[STRUCTURE])
    async def detach_carrier_from_organization(
        self, info: Info[Context, None], input: inputs.DetachCarrierInput
    ) -> MembershipResult | None:
        work = detach_carrier(
            info.context,
            carrier_id=input.carrier_id,
            expected_version=input.expected_version,
            reason=input.reason,
        )
        return await attempt(work, lambda r: _membership(info.context, r))

    @strawberry.mutation(description="Rename an organization.", directives=[STRUCTURE])
    async def rename_organization(
        self, info: Info[Context, None], input: inputs.RenameOrganizationInput
    ) -> RenameOrganizationResult | None:
        async def done(row: OrganizationRow) -> OrganizationPayload:
            return OrganizationPayload(
                organization=Organization.from_row(row), carrier=None, carriers=[], effective_changes=[]
            )

        work = rename_organization(
            info.context, organization_id=input.id, name=input.name, expected_version=input.expected_version
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Delete an organization that has no carriers left.", directives=[STRUCTURE]
    )
    async def delete_organization(
        self, info: Info[Context, None], input: inputs.DeleteOrganizationInput
    ) -> DeleteOrganizationResult | None:
        async def done(row: OrganizationRow) -> DeleteOrganizationPayload:
            return DeleteOrganizationPayload(
                deleted_organization_id=to_global_id("Organization", row.id), name=row.name
            )

        work = delete_organization(
            info.context, organization_id=input.id, expected_version=input.expected_version
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Switch a feature on or off for one carrier, or back to INHERIT, with a reason.",
        directives=[ENABLEMENTS],
    )
    async def set_carrier_enablement(
        self, info: Info[Context, None], input: inputs.SetCarrierEnablementInput
    ) -> SetEnablementResult | None:
        work = set_carrier_enablement(
            info.context,
            carrier_id=input.carrier_id,
            feature_key=input.feature_key,
            state=input.state,
            reason=input.reason,
        )
        return await attempt(work, lambda r: _carrier_enablement(info.context, r))

    @strawberry.mutation(
        description="Switch a feature for an organization; its carriers inherit it unless they override it.",
        directives=[ENABLEMENTS],
    )
    async def set_organization_enablement(
        self, info: Info[Context, None], input: inputs.SetOrganizationEnablementInput
    ) -> SetEnablementResult | None:
        work = set_organization_enablement(
            info.context,
            organization_id=input.organization_id,
            feature_key=input.feature_key,
            state=input.state,
            reason=input.reason,
        )
        return await attempt(work, lambda r: _organization_enablement(info.context, r))

    @strawberry.mutation(description="Add a feature to the catalogue.", directives=[CATALOGUE])
    async def create_feature(
        self, info: Info[Context, None], input: inputs.CreateFeatureInput
    ) -> CreateFeatureResult | None:
        async def done(row: FeatureRow) -> FeaturePayload:
            return FeaturePayload(feature=Feature.from_row(row), effective_changes=[])

        work = create_feature(
            info.context,
            key=input.key,
            name=input.name,
            description=input.description,
            default_enabled=input.default_enabled,
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Change a catalogue feature's name, description or default.", directives=[CATALOGUE]
    )
    async def update_feature(
        self, info: Info[Context, None], input: inputs.UpdateFeatureInput
    ) -> UpdateFeatureResult | None:
        async def done(result: FeatureUpdated) -> FeaturePayload:
            return FeaturePayload(
                feature=Feature.from_row(result.feature), effective_changes=effective_changes(result.changes)
            )

        work = update_feature(
            info.context,
            feature_id=input.id,
            name=input.name,
            description=input.description,
            default_enabled=input.default_enabled,
            expected_version=input.expected_version,
        )
        return await attempt(work, done)

    @strawberry.mutation(
        description="Issue an API key for a carrier. The payload carries the secret, once.",
        directives=[KEYS_WRITE],
    )
    async def create_api_key(
        self, info: Info[Context, None], input: inputs.CreateApiKeyInput
    ) -> CreateApiKeyResult:
        work = create_api_key(
            info.context,
            carrier_id=input.carrier_id,
            description=input.description,
            scopes=input.scopes,
            ip_allowlist=input.ip_allowlist,
            expiry=ExpiryRequest(input.expires_at, input.expires_on, input.time_zone, input.never_expires),
            idempotency_key=input.idempotency_key,
        )
        return await attempt(work, lambda issued: _issued_payload(info.context, issued))

    @strawberry.mutation(
        description="Issue a service key: for one of the vendor's other services, of no carrier, reading "
        "across every carrier (CARRIER_READ, ENABLEMENTS_READ only). The payload carries the secret, once. "
        "Update, rotate and revoke it like any key.",
        directives=[SERVICE_KEYS],
    )
    async def create_service_key(
        self, info: Info[Context, None], input: inputs.CreateServiceKeyInput
    ) -> CreateApiKeyResult | None:
        work = create_api_key(
            info.context,
            carrier_id=None,
            description=input.description,
            scopes=input.scopes,
            ip_allowlist=input.ip_allowlist,
            expiry=ExpiryRequest(input.expires_at, input.expires_on, input.time_zone, input.never_expires),
            idempotency_key=input.idempotency_key,
        )
        return await attempt(work, lambda issued: _issued_payload(info.context, issued))

    @strawberry.mutation(
        description="Change an active key's description, allowlist, scopes or expiry.",
        directives=[KEYS_WRITE],
    )
    async def update_api_key(
        self, info: Info[Context, None], input: inputs.UpdateApiKeyInput
    ) -> UpdateApiKeyResult:
        work = update_api_key(
            info.context,
            key_id=input.id,
            description=input.description,
            scopes=input.scopes,
            ip_allowlist=input.ip_allowlist,
            expiry=ExpiryRequest(input.expires_at, input.expires_on, input.time_zone, input.never_expires),
            expected_version=input.expected_version,
        )
        return await attempt(work, lambda row: _key_payload(info.context, row))

    @strawberry.mutation(description="Revoke a key: its next request fails.", directives=[KEYS_WRITE])
    async def revoke_api_key(
        self, info: Info[Context, None], input: inputs.RevokeApiKeyInput
    ) -> RevokeApiKeyResult:
        work = revoke_api_key(info.context, key_id=input.id, reason=input.reason)
        return await attempt(work, lambda row: _key_payload(info.context, row))

    @strawberry.mutation(
        description="Replace a key with a new one of the same settings (its secret shown once); the old "
        "key keeps working for the grace period.",
        directives=[KEYS_WRITE],
    )
    async def rotate_api_key(
        self, info: Info[Context, None], input: inputs.RotateApiKeyInput
    ) -> RotateApiKeyResult:
        async def done(result: Rotated) -> RotateApiKeyPayload:
            now = info.context.now()
            return RotateApiKeyPayload(
                api_key=ApiKey.from_row(result.key, now),
                secret=result.secret,
                previous_key=ApiKey.from_row(result.previous, now),
            )

        work = rotate_api_key(
            info.context,
            key_id=input.id,
            grace_period_seconds=input.grace_period_seconds,
            expiry=ExpiryRequest(input.expires_at, input.expires_on, input.time_zone, input.never_expires),
        )
        return await attempt(work, done)


async def _issued_payload(context: Context, issued: Issued) -> CreateApiKeyPayload:
    return CreateApiKeyPayload(
        api_key=ApiKey.from_row(issued.key, context.now()),
        secret=issued.secret,
        replayed=issued.secret is None,
    )


async def _key_payload(context: Context, row: ApiKeyRow) -> ApiKeyPayload:
    return ApiKeyPayload(api_key=ApiKey.from_row(row, context.now()))
