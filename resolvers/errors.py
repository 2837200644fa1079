"""Every error a caller can act on: one family, each with its code and a message a person can read.

Raised in a resolver, an error is a GraphQL field error carrying `extensions.code` (graphql-core copies
`extensions` from the original exception). Raised in a mutation, the expected ones (those a mutation's
result union has a member for: not found, invalid, forbidden, conflict, limit reached...) become that
member instead, next to the input field they name (schema/mutations/results.attempt,
schema/user_errors.py). Anything else is masked by the view as an internal error.

The codes are ErrorCode, published in the schema as the `ErrorCode` enum (UserError.code), including
the ones the web layer answers with before any resolver runs.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from db.organizations import OrganizationRow

SUPPORT = "Contact Support if you need access."


class ErrorCode(enum.Enum):
    """Every code in `errors[].extensions.code` and in `UserError.code`."""

    # the caller
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    # the input
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    ALREADY_IN_ORGANIZATION = "ALREADY_IN_ORGANIZATION"
    ORGANIZATION_NOT_EMPTY = "ORGANIZATION_NOT_EMPTY"
    LIMIT_REACHED = "LIMIT_REACHED"
    CHANGE_NO_LONGER_APPLIES = "CHANGE_NO_LONGER_APPLIES"
    # the request
    BAD_REQUEST = "BAD_REQUEST"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    PERSISTED_DOCUMENT_REQUIRED = "PERSISTED_DOCUMENT_REQUIRED"
    PERSISTED_DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CSRF_PREVENTED = "CSRF_PREVENTED"
    # the server
    TIMEOUT = "TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    SUBSCRIPTION_ENDED = "SUBSCRIPTION_ENDED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ForbiddenRule(enum.Enum):
    """Which rule refused a change (resolvers/api_key_policy.py, resolvers/rules.py)."""

    SCOPE_NOT_HELD = "SCOPE_NOT_HELD"
    ALLOWLIST_WIDER = "ALLOWLIST_WIDER"
    EXPIRY_LATER = "EXPIRY_LATER"
    TARGET_STRONGER = "TARGET_STRONGER"
    CALLER_IN_GRACE_PERIOD = "CALLER_IN_GRACE_PERIOD"
    NON_EXPIRING_NOT_ALLOWED = "NON_EXPIRING_NOT_ALLOWED"
    API_ACCESS_DISABLED = "API_ACCESS_DISABLED"
    SERVICE_KEY = "SERVICE_KEY"
    # The key policy (resolvers/key_policy.py): each names the level that set the value (`level`).
    POLICY_MAX_LIFETIME = "POLICY_MAX_LIFETIME"
    POLICY_ALLOWLIST_REQUIRED = "POLICY_ALLOWLIST_REQUIRED"
    POLICY_SCOPE_NOT_ALLOWED = "POLICY_SCOPE_NOT_ALLOWED"
    POLICY_MAX_GRACE_PERIOD = "POLICY_MAX_GRACE_PERIOD"
    POLICY_LOOSER_THAN_LEVEL_ABOVE = "POLICY_LOOSER_THAN_LEVEL_ABOVE"
    POLICY_NOT_ADMINISTRATOR = "POLICY_NOT_ADMINISTRATOR"
    # Requests to Support (resolvers/request_change.py, decide_change_request.py).
    PEOPLE_ONLY = "PEOPLE_ONLY"
    OWN_REQUEST = "OWN_REQUEST"


class PolicyLevel(enum.Enum):
    """A level of the key policy, from the widest: the platform (this deployment's settings), an
    organization (for its carriers), one carrier (staff's tightening). A level may only tighten what the
    levels above it set."""

    PLATFORM = "PLATFORM"
    ORGANIZATION = "ORGANIZATION"
    CARRIER = "CARRIER"


class ApiError(Exception):
    """`field` names the input field (or the field of the schema) the error is about; it and
    `extensions` are a field error's `extensions`, beside its code."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, *, field: str | None = None, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extensions: dict[str, Any] = {"code": self.code.value, **extensions}
        if field is not None:
            self.extensions["field"] = field


class Unauthenticated(ApiError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(ApiError):
    """The caller may not do this; `rule`, where one object-level rule refused it, says which, and
    `level`, where the key policy did, which of its levels."""

    code = ErrorCode.FORBIDDEN

    def __init__(
        self,
        message: str,
        *,
        rule: ForbiddenRule | None = None,
        field: str | None = None,
        level: PolicyLevel | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message, field=field, **extensions)
        self.rule = rule
        self.level = level
        if rule is not None:
            self.extensions["rule"] = rule.value
        if level is not None:
            self.extensions["level"] = level.value


class BadUserInput(ApiError):
    """An input value is unusable; `field` (or the `argument` extension) names it."""

    code = ErrorCode.BAD_USER_INPUT


class NotFound(ApiError):
    """The object does not exist, or is not in the caller's reach: the two are never told apart."""

    code = ErrorCode.NOT_FOUND


class Conflict(ApiError):
    """The change collides with the current state: a name taken, or an `expectedVersion` gone stale."""

    code = ErrorCode.CONFLICT

    def __init__(self, message: str, *, field: str | None = None, current_version: int | None = None) -> None:
        super().__init__(message, field=field)
        self.current_version = current_version


class AlreadyInOrganization(ApiError):
    code = ErrorCode.ALREADY_IN_ORGANIZATION

    def __init__(self, message: str, *, organization: OrganizationRow, field: str = "carrierId") -> None:
        super().__init__(message, field=field)
        self.organization = organization


class NoLongerApplies(ApiError):
    """A requested change refused at its approval: what refused it (`cause`), as the restricted
    mutation would have answered staff making it now. The request stays open."""

    code = ErrorCode.CHANGE_NO_LONGER_APPLIES

    def __init__(self, message: str, *, cause: ApiError, request_id: object) -> None:
        super().__init__(message, field=cause.field, cause=cause.code.value)
        self.cause = cause
        self.request_id = request_id


class OrganizationNotEmpty(ApiError):
    code = ErrorCode.ORGANIZATION_NOT_EMPTY

    def __init__(self, message: str, *, carrier_count: int) -> None:
        super().__init__(message, field="id")
        self.carrier_count = carrier_count


class LimitReached(ApiError):
    code = ErrorCode.LIMIT_REACHED

    def __init__(self, message: str, *, limit: int, field: str | None = None) -> None:
        super().__init__(message, field=field, limit=limit)
        self.limit = limit


def stale(what: str, current_version: int) -> Conflict:
    """The answer to an `expectedVersion` that is no longer current."""
    return Conflict(
        f"The {what} was changed by someone else (it is now at version {current_version}); "
        "reload it and try again.",
        field="expectedVersion",
        current_version=current_version,
    )


def organization_name_taken(name: str) -> Conflict:
    """Organization names are unique regardless of case (createOrganization, renameOrganization)."""
    return Conflict(f"An organization named {name!r} already exists.", field="name")
