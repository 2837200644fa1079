"""Errors a caller can act on: each carries `extensions.code` and a message a person can read.

Raised in resolvers, they become GraphQL field errors (graphql-core copies `extensions` from the
original exception). Anything else is masked by the view as an internal error.
"""

from __future__ import annotations

from typing import Any

SUPPORT = "Contact Support if you need access."


class ApiError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    """For a field that cannot answer null (a subscription): the object is not one the caller can see."""

    code = "NOT_FOUND"
