"""Mutation errors as GraphQL types: members of each mutation's result union, shown next to a field.

The codes are one enum, `ErrorCode` (resolvers/errors.py), which also names every code a field error or
the web layer answers with."""

from __future__ import annotations

import strawberry

from resolvers.errors import (
    AlreadyInOrganization,
    ApiError,
    BadUserInput,
    Conflict,
    ErrorCode,
    Forbidden,
    ForbiddenRule,
    LimitReached,
    NoLongerApplies,
    NotFound,
    OrganizationNotEmpty,
)
from resolvers.global_ids import to_global_id
from schema.enums import KeyPolicyLevel
from schema.organization import Organization

strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Every code the API answers with: a mutation's UserError.code, and a field's or a "
    "request's errors[].extensions.code.",
)
ERROR_CODES = {
    "UNAUTHENTICATED": "No credentials, or credentials not accepted: sign in, or send a valid key.",
    "FORBIDDEN": "The caller may not do this (a restricted function, a missing scope, a rule).",
    "RATE_LIMITED": "Too many requests: retry after `retryAfter` seconds (the Retry-After header).",
    "BAD_USER_INPUT": "An argument or input value is unusable; `field` or `argument` names it.",
    "NOT_FOUND": "The object does not exist, or is not one the caller can see.",
    "CONFLICT": "The change collides with the current state (a name taken, a stale expectedVersion).",
    "ALREADY_IN_ORGANIZATION": "The carrier already belongs to another organization.",
    "ORGANIZATION_NOT_EMPTY": "The organization still has carriers.",
    "LIMIT_REACHED": "A limit was reached (active keys, subscriptions); `limit` says which number.",
    "CHANGE_NO_LONGER_APPLIES": "A requested change was refused at its approval: the state moved on.",
    "BAD_REQUEST": "The request itself is malformed (JSON, parameters, a WebSocket message).",
    "GRAPHQL_PARSE_FAILED": "The document does not parse.",
    "GRAPHQL_VALIDATION_FAILED": "The document is not valid against the schema, or passes a limit.",
    "QUERY_TOO_LARGE": "The document has more tokens than MAX_TOKENS.",
    "QUERY_TOO_COMPLEX": "The document costs more than MAX_QUERY_COST, or nests or aliases too much.",
    "PERSISTED_DOCUMENT_REQUIRED": "People send only the admin frontend's trusted documents here.",
    "PERSISTED_DOCUMENT_NOT_FOUND": "No trusted document has this id.",
    "PERSISTED_QUERY_NOT_FOUND": "An automatic persisted query not registered: send it again with its text.",
    "PAYLOAD_TOO_LARGE": "The request body is larger than MAX_BODY_BYTES.",
    "UNSUPPORTED_MEDIA_TYPE": "Send the body as application/json.",
    "METHOD_NOT_ALLOWED": "Use GET for queries, POST for anything.",
    "CSRF_PREVENTED": "A GET with a query needs a header a cross-site page cannot send (Authorization).",
    "TIMEOUT": "The request, or its SQL, took too long: ask for less.",
    "SERVICE_UNAVAILABLE": "The database (or a share of it) is not available now: retry shortly.",
    "SUBSCRIPTION_ENDED": "The subscription cannot go on (changes may be missed): subscribe again.",
    "INTERNAL_SERVER_ERROR": "Something failed that should not: quote the request id to Support.",
}
for _code in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _code.description = ERROR_CODES[_code.name]


@strawberry.interface(description="An expected failure of a mutation: nothing was changed.")
class UserError:
    message: str = strawberry.field(description="What went wrong, for a person to read.")
    code: ErrorCode = strawberry.field(description="A stable machine-readable code, e.g. NOT_FOUND.")
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


# ForbiddenRule is registered in schema/enums.py, with each rule's description.


@strawberry.type(description="The caller may not do this, e.g. grant a scope it does not hold itself.")
class ForbiddenError(UserError):
    rule: ForbiddenRule | None = strawberry.field(description="Which rule refused it.")
    level: KeyPolicyLevel | None = strawberry.field(
        default=None, description="Where the key policy refused it: the level that set the rule."
    )


@strawberry.type(
    description="A requested change was refused when staff approved it: the state moved on since it was "
    "requested (the carrier moved, the key was revoked). Nothing changed and the request stays open; "
    "`cause` is the code the restricted mutation answered, `message` its words."
)
class ChangeNoLongerAppliesError(UserError):
    cause: ErrorCode = strawberry.field(description="What the restricted mutation answered, e.g. CONFLICT.")
    change_request_id: strawberry.ID = strawberry.field(description="The request, still open.")


@strawberry.type(description="A limit was reached, e.g. the number of active API keys of a carrier.")
class LimitReachedError(UserError):
    limit: int = strawberry.field(description="The limit.")


def user_error(error: ApiError) -> UserError | None:
    """The union member for an error a mutation expects; None for one it does not (it stays a field
    error: signed out, say)."""
    message, code, field = error.message, error.code, error.field
    member: UserError | None
    match error:
        case NotFound():
            member = NotFoundError(message=message, code=code, field=field)
        case BadUserInput():
            member = ValidationError(message=message, code=code, field=field)
        case Forbidden():
            member = ForbiddenError(
                message=message, code=code, field=field, rule=error.rule, level=error.level
            )
        case Conflict():
            member = ConflictError(
                message=message, code=code, field=field, current_version=error.current_version
            )
        case AlreadyInOrganization():
            organization = Organization.from_row(error.organization)
            member = AlreadyInOrganizationError(
                message=message, code=code, field=field, current_organization=organization
            )
        case OrganizationNotEmpty():
            member = OrganizationNotEmptyError(
                message=message, code=code, field=field, carrier_count=error.carrier_count
            )
        case NoLongerApplies():
            member = ChangeNoLongerAppliesError(
                message=message,
                code=code,
                field=field,
                cause=error.cause.code,
                change_request_id=to_global_id("ChangeRequest", error.request_id),  # type: ignore[arg-type]
            )
        case LimitReached():
            member = LimitReachedError(message=message, code=code, field=field, limit=error.limit)
        case _:
            member = None
    return member
