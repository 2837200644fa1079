"""The GraphQL endpoint: Strawberry's aiohttp view, with authentication and the per-request context."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from graphql import GraphQLError
from strawberry.aiohttp.views import GraphQLView as StrawberryView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from access.authenticate import AuthenticationError, Authenticator, Caller
from db.loaders import Loaders
from db.pool import CountingDatabase, StatementCounter
from schema.context import Context
from schema.errors import ApiError
from web.app_keys import DATABASE, LAST_USE, SETTINGS

log = logging.getLogger("carrier_admin.graphql")

CALLER = web.RequestKey("caller", Caller)
CONTEXT = web.RequestKey("context", Context)
REQUEST_ID = web.RequestKey("request_id", str)


def utc_now() -> datetime:
    return datetime.now(UTC)


class GraphQLView(StrawberryView[Context, None]):
    def __init__(self, *args: Any, authenticator: Authenticator, now: Callable[[], datetime], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.authenticator = authenticator
        self.now = now

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        request[REQUEST_ID] = request_id
        address = self.authenticator.address_of(request.remote, request.headers.get("X-Forwarded-For"))
        try:
            caller = await self.authenticator.authenticate(
                authorization=request.headers.get("Authorization"),
                query=request.query,
                address=address,
                database=request.app[DATABASE],
            )
        except AuthenticationError as error:
            return error_response(error.status, error.message, error.code, request_id)
        request[CALLER] = caller
        if caller.key is not None:
            used_from = str(caller.address) if caller.address else None
            request.app[LAST_USE].note(caller.key.id, self.now(), used_from)
        return await super().__call__(request)

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        caller = request[CALLER]
        statements = StatementCounter()
        db = CountingDatabase(request.app[DATABASE], statements)
        context = Context(
            settings=request.app[SETTINGS],
            principal=caller.principal,
            db=db,
            loaders=Loaders(db, caller.principal.scope, self.now),
            statements=statements,
            request_id=request[REQUEST_ID],
            client_address=str(caller.address) if caller.address else None,
            now=self.now,
        )
        request[CONTEXT] = context
        return context

    async def process_result(self, request: web.Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        context = request.get(CONTEXT)
        request_id = request[REQUEST_ID]
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            response["errors"] = [_public_error(error, request_id) for error in result.errors]
        extensions = dict(result.extensions or {})
        if context is not None and context.warnings:
            extensions["warnings"] = context.warnings
        if extensions:
            response["extensions"] = extensions
        return response


def _public_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """Expected errors as they are; anything unexpected masked, with the request id, and logged."""
    original = error.original_error
    if original is None or isinstance(original, ApiError):
        return dict(error.formatted)
    log.error("unexpected error in %s (request %s)", error.path, request_id, exc_info=original)
    masked = GraphQLError(
        "Internal error. Quote the request id to Support.",
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )
    masked.locations = error.locations
    return dict(masked.formatted)


def error_response(status: int, message: str, code: str, request_id: str) -> web.Response:
    headers = {"X-Request-Id": request_id}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="carrier-admin"'
    return web.json_response(
        {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]},
        status=status,
        headers=headers,
    )
