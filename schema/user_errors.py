"""Mutation errors as GraphQL types: members of each mutation's result union, shown next to a field."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from resolvers.failures import (
    AlreadyInOrganizationFailure,
    ConflictFailure,
    Failure,
    ForbiddenFailure,
    ForbiddenRule,
    InvalidFailure,
    LimitReachedFailure,
    NotFoundFailure,
    OrganizationNotEmptyFailure,
)
from schema.organization import Organization


@strawberry.interface(description="An expected failure of a mutation: nothing was changed.")
class UserError:
    message: str = strawberry.field(description="What went wrong, for a person to read.")
    code: str = strawberry.field(description="A stable machine-readable code, e.g. NOT_FOUND.")
    field: str | None = strawberry.field(description="The input field the error is about, if one.")


@strawberry.type(description="The object does not exist, or is not one the caller can see.")
class NotFoundError(UserError):
    pass


@strawberry.type(description="An input value is unusable; `field` names it.")
class ValidationError(UserError):
    pass


@strawberry.type(
    description="The change collides with the current state: a name already taken, or an "
    "`expectedVersion` that someone else's change has made stale."
)
class ConflictError(UserError):
    current_version: int | None = strawberry.field(description="The object's version now, when stale.")


@strawberry.type(description="The carrier already belongs to another organization; move it explicitly.")
class AlreadyInOrganizationError(UserError):
    current_organization: Organization = strawberry.field(description="The organization it belongs to.")


@strawberry.type(description="The organization still has carriers; detach or move them first.")
class OrganizationNotEmptyError(UserError):
    carrier_count: int = strawberry.field(description="How many carriers it still has.")


strawberry.enum(
    ForbiddenRule,
    name="ForbiddenRule",
    description="Which rule refused a change to an API key.",
)
for _value in ForbiddenRule.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = {
        "SCOPE_NOT_HELD": "The key would get a scope the caller does not hold.",
        "ALLOWLIST_WIDER": "The key would work from addresses outside the calling key's own allowlist.",
        "EXPIRY_LATER": "The key would expire later than the calling key.",
        "TARGET_STRONGER": "The key can do more than the calling key, which manages only keys no stronger.",
        "CALLER_IN_GRACE_PERIOD": "The calling key was rotated: in its grace period it manages no keys.",
        "NON_EXPIRING_NOT_ALLOWED": "Keys that never expire are not allowed here, or not for this caller.",
        "API_ACCESS_DISABLED": "The carrier's API access feature (integrations.api_access) is off.",
        "SERVICE_KEY": "Service keys (of no carrier) are issued and managed by the platform's staff only.",
    }[_value.name]


@strawberry.type(description="The caller may not do this, e.g. grant a scope it does not hold itself.")
class ForbiddenError(UserError):
    rule: ForbiddenRule | None = strawberry.field(description="Which rule refused it.")


@strawberry.type(description="A limit was reached, e.g. the number of active API keys of a carrier.")
class LimitReachedError(UserError):
    limit: int = strawberry.field(description="The limit.")


def user_error(failure: Failure) -> UserError:
    """The GraphQL error type for an expected failure."""
    make = ERROR_TYPES.get(type(failure))
    if make is None:
        raise TypeError(f"no GraphQL error type for {type(failure).__name__}")
    return make(failure)


def _already_in(failure: Failure) -> UserError:
    assert isinstance(failure, AlreadyInOrganizationFailure)
    return AlreadyInOrganizationError(
        message=failure.message,
        code="ALREADY_IN_ORGANIZATION",
        field=failure.field,
        current_organization=Organization.from_row(failure.organization),
    )


def _conflict(failure: Failure) -> UserError:
    assert isinstance(failure, ConflictFailure)
    return ConflictError(
        message=failure.message, code="CONFLICT", field=failure.field, current_version=failure.current_version
    )


def _not_empty(failure: Failure) -> UserError:
    assert isinstance(failure, OrganizationNotEmptyFailure)
    return OrganizationNotEmptyError(
        message=failure.message,
        code="ORGANIZATION_NOT_EMPTY",
        field=failure.field,
        carrier_count=failure.carrier_count,
    )


def _forbidden(failure: Failure) -> UserError:
    assert isinstance(failure, ForbiddenFailure)
    return ForbiddenError(message=failure.message, code="FORBIDDEN", field=failure.field, rule=failure.rule)


def _limit(failure: Failure) -> UserError:
    assert isinstance(failure, LimitReachedFailure)
    return LimitReachedError(
        message=failure.message, code="LIMIT_REACHED", field=failure.field, limit=failure.limit
    )


ERROR_TYPES: dict[type[Failure], Callable[[Failure], UserError]] = {
    NotFoundFailure: lambda f: NotFoundError(message=f.message, code="NOT_FOUND", field=f.field),
    InvalidFailure: lambda f: ValidationError(message=f.message, code="BAD_USER_INPUT", field=f.field),
    ForbiddenFailure: _forbidden,
    ConflictFailure: _conflict,
    AlreadyInOrganizationFailure: _already_in,
    OrganizationNotEmptyFailure: _not_empty,
    LimitReachedFailure: _limit,
}
