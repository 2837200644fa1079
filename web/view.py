"""The GraphQL endpoint: Strawberry's aiohttp view, with the rules of GraphQL over HTTP, authentication,
rate limits, the per-request context, and one log line per request.

The order a request goes through: HTTP checks (method, content type, CSRF) → failed-authentication
limit for the address → authentication → the caller's rate limit → Strawberry (parse, validate with
limits, execute) → the response's status and media type. All of it inside REQUEST_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeGuard

import orjson
from aiohttp import web
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from strawberry.aiohttp.views import GraphQLView as StrawberryView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from access.principal import ANONYMOUS
from context import Context
from db.deadlines import Deadlines
from db.pool import StatementCounter
from web import documents, graphiql_page
from web.app_keys import METRICS, SETTINGS, TRUSTED_DOCUMENTS
from web.authentication import URL_CREDENTIALS, Authenticator, Caller, credentials_in_url
from web.callers import context_for, forwarded_for, identify, note_use, within_rate_limit
from web.compression import compress_answer
from web.development import serves_conveniences
from web.graphql_errors import public_error
from web.json_limits import MAX_JSON_DEPTH, nesting, shallow
from web.lean import LeanPath
from web.metrics import operation_label
from web.requests import CONTEXT, REQUEST_ID, STATEMENTS, request_id_of
from web.responses import GRAPHQL_RESPONSE, JSON, error_response, media_type
from web.subscriptions import SubscriptionHandler, TextWebSocket
from web.trusted_documents import DocumentError, document_id_of

log = logging.getLogger("carrier_admin.graphql")

CALLER = web.RequestKey("caller", Caller)
MEDIA_TYPE = web.RequestKey("media_type", str)
STATUS = web.RequestKey("status", int)
CHOSEN = web.RequestKey("chosen_document", documents.Chosen)
# The operation name the request gave (None when it gave none).
GIVEN_NAME: web.RequestKey[str | None] = web.RequestKey("given_operation_name")
REQUEST = web.ResponseKey("request", web.Request)

# A request carrying one of these cannot be a "simple" cross-site request: browsers preflight it.
PREFLIGHT_HEADERS = ("X-Requested-With", "GraphQL-Preflight", "Apollo-Require-Preflight", "Authorization")


def utc_now() -> datetime:
    return datetime.now(UTC)


class GraphQLView(StrawberryView[Context, None]):
    graphql_transport_ws_handler_class = SubscriptionHandler
    websocket_adapter_class = TextWebSocket

    def __init__(
        self,
        *args: Any,
        authenticator: Authenticator,
        now: Callable[[], datetime],
        lean: LeanPath | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.authenticator = authenticator
        self.now = now
        # Queries whose plan is kept skip Strawberry's machinery (web/lean.py); None: all come here.
        self.lean = lean
        # Each request's time limit (REQUEST_TIMEOUT_SECONDS), one timer for all (db/deadlines.py).
        self.deadlines = Deadlines()

    async def end_time_limits(self, _app: web.Application) -> None:
        """At cleanup: the time limits' timer goes with the application."""
        self.deadlines.close()

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if self.is_websocket_request(request):
            return await self._websocket(request)
        started = time.perf_counter()
        settings = request.app[SETTINGS]
        request[REQUEST_ID] = request_id = request_id_of(request)
        request[STATEMENTS] = StatementCounter()
        try:
            async with self.deadlines.limit(settings.request_timeout_seconds):
                response = await self._handle(request)
        except TimeoutError:
            response = error_response(
                504,
                f"The request took longer than {settings.request_timeout_seconds:g} s; ask for less "
                "(smaller pages, fewer nested fields).",
                "TIMEOUT",
                request_id,
            )
        # GraphQL answers only: the GraphiQL page carries a development token.
        if isinstance(response, web.Response) and response.content_type in (JSON, GRAPHQL_RESPONSE):
            await compress_answer(request, response)
        response.headers["X-Request-Id"] = request_id
        response.headers["Cache-Control"] = "no-store"
        # asyncpg reports statements through call_soon: let those callbacks run before counting.
        await asyncio.sleep(0)
        self._record(request, response, time.perf_counter() - started)
        return response

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        """A subscription connection: no request timeout (it stays open); the caller is whoever its
        connection_init names (web/subscriptions.py)."""
        request[REQUEST_ID] = request_id = request_id_of(request)
        request[STATEMENTS] = StatementCounter()
        if credentials_in_url(request.query):
            # Refused before the upgrade, as over HTTP: the URL is already in someone's log.
            request.app[METRICS].key_verifications.labels("url").inc()
            return error_response(401, URL_CREDENTIALS, "UNAUTHENTICATED", request_id)
        request[CALLER] = Caller(
            ANONYMOUS, self.authenticator.address_of(request.remote, forwarded_for(request))
        )
        return await self._execute(request)

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        settings = request.app[SETTINGS]
        response = web.WebSocketResponse(
            protocols=[subprotocol] if subprotocol else [],
            heartbeat=settings.ws_keepalive_seconds,
            max_msg_size=settings.max_body_bytes,
        )
        await response.prepare(request)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        refused = _http_refusal(request)
        if refused is not None:
            return refused
        caller_or_refusal = await identify(request, self.authenticator, self.now)
        if isinstance(caller_or_refusal, web.StreamResponse):
            return caller_or_refusal
        request[CALLER] = caller = caller_or_refusal
        refused = _cross_site_refusal(request)
        if refused is not None:
            return refused
        limited = await within_rate_limit(request, caller, self.now)
        if limited is not None:
            return limited
        note_use(request, caller, self.now)
        return await self._execute(request, caller)

    async def _execute(self, request: web.Request, caller: Caller | None = None) -> web.StreamResponse:
        try:
            if caller is not None and self.lean is not None:
                # Every rule above (and the timeout, compression, headers and record around) is the
                # same for both: only what runs the operation differs.
                answered = await self.lean.answer(request, caller, self.now)
                if answered is not None:
                    return answered
            return await self._run(request)
        finally:
            if (context := request.get(CONTEXT)) is not None:
                context.release()

    async def _run(self, request: web.Request) -> web.StreamResponse:
        request_id = request[REQUEST_ID]
        try:
            return await self.run(request)
        except web.HTTPRequestEntityTooLarge:
            limit = request.app[SETTINGS].max_body_bytes
            return error_response(
                413,
                f"The request body is larger than {limit} bytes (MAX_BODY_BYTES).",
                "PAYLOAD_TOO_LARGE",
                request_id,
                limit="MAX_BODY_BYTES",
            )
        except DocumentError as error:
            # A request error: in the media type asked for, so that a client of GraphQL over HTTP
            # (Apollo Client 4) reads its errors rather than "status 400".
            refused = error_response(400, error.message, error.code, request_id)
            refused.content_type = media_type(request)
            return refused
        except HTTPException as error:
            if "not allowed when using GET" in error.reason:
                return error_response(
                    405, "Mutations need POST.", "METHOD_NOT_ALLOWED", request_id, headers={"Allow": "POST"}
                )
            return error_response(error.status_code, error.reason, "BAD_REQUEST", request_id)

    async def parse_http_body(self, request_adapter: AsyncHTTPRequestAdapter) -> Any:
        """The request's document: its own text, the trusted document it names by id, or one it
        registered (web/documents.py decides, as it does for subscriptions)."""
        data = await super().parse_http_body(request_adapter)
        if isinstance(data, list):
            return data
        request: web.Request = request_adapter.request  # type: ignore[attr-defined]
        document_id = document_id_of({"extensions": data.extensions})
        if document_id is None:
            if request.method == "GET":
                document_id = document_id_of({"documentId": request.query.get("documentId")})
            else:
                raw = await request_adapter.get_body()
                # Parse the body a second time only when it can name a document.
                if b'"documentId"' in raw:
                    document_id = document_id_of(self.parse_json(raw))
        chosen = await documents.document_for(request.app, request[CALLER].principal, document_id, data.query)
        request[CHOSEN] = chosen
        request[GIVEN_NAME] = data.operation_name
        data.query = chosen.text
        return data

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Context:
        # The lean path's, when it handed the operation over after running it (errors, warnings): its
        # loaders and what its resolvers recorded (by response path) carry on here.
        context = request.get(CONTEXT) or context_for(request, request[CALLER], self.now)
        request[CONTEXT] = context
        return context

    def is_websocket_request(self, request: web.Request) -> TypeGuard[web.Request]:
        # Strawberry builds a WebSocketResponse per request to find out; only an Upgrade can be one.
        return "Upgrade" in request.headers and super().is_websocket_request(request)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a trusted document is an operation, not a browser asking for the page.
        operation = {"query", "documentId", "extensions"} & set(request.query_params)
        return request.method == "GET" and not operation and super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        if not request.app[SETTINGS].graphiql:
            return error_response(404, "GraphiQL is turned off here.", "NOT_FOUND", request[REQUEST_ID])
        settings = request.app[SETTINGS]
        return graphiql_page.page(settings, with_token=serves_conveniences(request, settings))

    async def process_result(self, request: web.Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        context = request.get(CONTEXT)
        settings = request.app[SETTINGS]
        request_error = isinstance(result, PreExecutionError) or (
            result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])
        )
        errors: list[object] = [
            public_error(e, request[REQUEST_ID], settings.field_suggestions) for e in result.errors or []
        ]
        # A request error (parse, validation, variables) has no `data` entry at all, as the spec says.
        response: GraphQLHTTPResponse = {} if request_error else {"data": result.data}
        if errors:
            response["errors"] = errors
        extensions = dict(result.extensions or {})
        if context is not None and context.warnings:
            extensions["warnings"] = context.warnings
        if extensions:
            response["extensions"] = extensions
        request[MEDIA_TYPE] = media_type(request)
        if not request_error and (chosen := request.get(CHOSEN)) is not None:
            documents.admitted(request.app, chosen)
            answered = not result.errors and context is not None and not context.warnings
            if self.lean is not None and chosen.text is not None and answered:
                await self.lean.admit(chosen.text, request.get(GIVEN_NAME), request[CALLER].principal)
        codes = {e["extensions"].get("code") for e in errors if isinstance(e, dict)}
        if "SERVICE_UNAVAILABLE" in codes:
            request[STATUS] = 503
        elif request_error and request[MEDIA_TYPE] == GRAPHQL_RESPONSE:
            request[STATUS] = 400
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        """The body (or GET's variables and extensions) as JSON: strict UTF-8 (no lone surrogates),
        and nested no deeper than any input of this schema needs."""
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise HTTPException(400, f"The request is not valid JSON: {error}.") from None
        if not shallow(data) and nesting(parsed) > MAX_JSON_DEPTH:
            raise HTTPException(
                400, f"The request's JSON is nested deeper than {MAX_JSON_DEPTH} levels; no input needs that."
            )
        return parsed

    async def get_sub_response(self, request: web.Request) -> web.Response:
        response = web.Response()
        # create_response() has no request: the sub-response carries what it needs to know.
        response[REQUEST] = request
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: web.Response
    ) -> web.Response:
        request = sub_response[REQUEST]
        sub_response.body = self.encode_json(response_data)
        sub_response.content_type = request.get(MEDIA_TYPE, JSON)
        sub_response.charset = "utf-8"
        sub_response.set_status(request.get(STATUS, 200))
        return sub_response

    def _record(self, request: web.Request, response: web.StreamResponse, seconds: float) -> None:
        context = request.get(CONTEXT)
        caller = request.get(CALLER)
        operation = _operation_name(request)
        outcome = _outcome(response.status)
        label = operation_label(operation, request.app[TRUSTED_DOCUMENTS].operation_names)
        request.app[METRICS].answered(label, outcome, seconds, context.statements.count if context else None)
        if not log.isEnabledFor(logging.INFO):
            return  # production's level: the line's fields are not worth building
        log.info(
            "graphql request",
            extra={
                "request_id": request[REQUEST_ID],
                "method": request.method,
                "status": response.status,
                "outcome": outcome,
                "operation": operation,
                "caller": f"{caller.principal.kind.value}:{caller.principal.id}" if caller else None,
                "duration_ms": round(seconds * 1000, 2),
                "sql_statements": context.statements.count if context else 0,
            },
        )


def _http_refusal(request: web.Request) -> web.Response | None:
    request_id = request[REQUEST_ID]
    if request.method not in ("GET", "POST"):
        return error_response(
            405,
            "Use GET for queries or POST.",
            "METHOD_NOT_ALLOWED",
            request_id,
            headers={"Allow": "GET, POST"},
        )
    if request.method == "POST":
        media = request.content_type.lower()
        if media != JSON:
            # Also refuses form posts, which a cross-site page could send without a preflight.
            return error_response(
                415, "Send the request body as application/json.", "UNSUPPORTED_MEDIA_TYPE", request_id
            )
        return None
    return None


def _cross_site_refusal(request: web.Request) -> web.Response | None:
    """A GET that runs an operation must carry a header a cross-site page cannot send unasked."""
    if request.method != "GET" or not {"query", "documentId", "extensions"} & set(request.query):
        return None
    if not any(request.headers.get(h) for h in PREFLIGHT_HEADERS):
        return error_response(
            400,
            "A GET request with a query needs an Authorization header or an X-Requested-With header "
            "(this stops cross-site requests that browsers would send without asking).",
            "CSRF_PREVENTED",
            request[REQUEST_ID],
        )
    return None


def _operation_name(request: web.Request) -> str:
    """For logs and metric labels: the operation's name, "anonymous", or "-" before execution."""
    context = request.get(CONTEXT)
    if context is None:
        return "-"
    return (context.operation_name or "anonymous")[:64]


OUTCOMES = {200: "ok", 401: "refused", 403: "refused", 429: "rate_limited", 504: "timeout"}


def _outcome(status: int) -> str:
    return OUTCOMES.get(status, "error" if status >= 400 else "ok")
