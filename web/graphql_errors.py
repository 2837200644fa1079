"""A GraphQL error as the caller sees it, whatever the transport: an expected one with its code, an
unexpected one masked (and logged in full) with the request id to quote."""

from __future__ import annotations

import logging
import re
from typing import Any

from asyncpg import QueryCanceledError
from graphql import GraphQLError, GraphQLSyntaxError

from db.pool import DATABASE_DOWN
from resolvers.errors import ApiError, ErrorCode
from web.responses import UNAVAILABLE

log = logging.getLogger("carrier_admin.graphql")

# graphql-core puts its hint at the end of some messages and in the middle of others.
SUGGESTION = re.compile(r" Did you mean [^?]*\?")
MASKED = "Internal error. Quote the request id to Support."


def public_error(error: GraphQLError, request_id: str, suggestions: bool) -> dict[str, Any]:
    """Expected errors with their code; unexpected ones masked, with the request id, and logged."""
    original = error.original_error
    formatted: dict[str, Any] = dict(error.formatted)
    if not suggestions:
        formatted["message"] = SUGGESTION.sub("", str(formatted["message"]))
    extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
    # graphql-core wraps its own errors (e.g. variable coercion) as original errors: those are answers too.
    if original is None or isinstance(original, ApiError | GraphQLError):
        syntax = isinstance(error, GraphQLSyntaxError)
        if "code" not in extensions:
            extensions["code"] = request_error_code(error.message, error.path, syntax)
            if syntax and "tokens" in error.message:
                extensions.update(code=ErrorCode.QUERY_TOO_LARGE.value, limit="MAX_TOKENS")
        formatted["extensions"] = extensions
        return formatted
    if isinstance(original, QueryCanceledError):
        code, message = ErrorCode.TIMEOUT, "The database gave up on this query (too slow); ask for less."
    elif isinstance(original, DATABASE_DOWN):
        code, message = ErrorCode.SERVICE_UNAVAILABLE, UNAVAILABLE
    else:
        log.error("unexpected error in %s (request %s)", error.path, request_id, exc_info=original)
        code, message = ErrorCode.INTERNAL_SERVER_ERROR, MASKED
    masked: dict[str, Any] = {"message": message, "extensions": {"code": code.value, "requestId": request_id}}
    if error.path:
        masked["path"] = error.path
    return masked


def request_error_code(message: str, path: object, syntax: bool) -> str:
    """The code of an error graphql-core raised itself (no code of its own): the document's, or an
    argument's or variable's value."""
    if syntax:
        return ErrorCode.GRAPHQL_PARSE_FAILED.value
    if path is None and message.startswith("Variable '$"):
        return ErrorCode.BAD_USER_INPUT.value
    return ErrorCode.GRAPHQL_VALIDATION_FAILED.value if path is None else ErrorCode.BAD_USER_INPUT.value
