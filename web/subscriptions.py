"""Subscriptions over WebSocket (graphql-transport-ws at /graphql), with this API's rules.

- Authentication in `connection_init`: its payload's `Authorization` (`Bearer <token or API key>`),
  verified as a request's header is (failed attempts limited per address). Refused: close 4401 or 4403
  with the reason; no credentials at all: 4401. The connection is closed (4401) when that credential
  expires: a token's `exp`, a key's expiry or the end of its grace period.
- Rights as they are now: each event is authorized with the credential's rights at that moment
  (resolvers/live.py re-reads an API key per event; the field rules run per event), and the
  document's cost and limits are checked on subscribe exactly as over HTTP (schema/request_rules.py).
- Limits: WS_MAX_CONNECTIONS_PER_CALLER open connections per caller (4429 beyond), WS_MAX_SUBSCRIPTIONS
  per connection (an error message beyond), each subscribe counted against the caller's rate limit;
  a ping every WS_KEEPALIVE_SECONDS (no pong: closed); a connection with no subscription for
  WS_IDLE_TIMEOUT_SECONDS is closed (4408); connection_init must come within WS_INIT_TIMEOUT_SECONDS;
  a client that does not read is closed (1013) once its send buffer is full (web/sockets.py).
- Malformed messages (not JSON, not an object, wrong field types: web/ws_protocol.py) close the
  connection with 4400 and the reason; an unexpected failure closes it with 4500. Either is one log line.
- Credentials in the URL are refused before the upgrade (401), as over HTTP.
- At shutdown every connection is closed at once with 1001.
- Only subscriptions: queries and mutations go over HTTP, with their own limits.
- Trusted documents: a subscribe message may name its document by `documentId` (or Apollo's
  persistedQuery hash); people must, where HTTP requires it of them.
- Errors: the same codes as over HTTP; an unexpected one is masked and logged with the request id.
- A subscribe payload's `extensions.announceWatching: true` asks to be told when the subscription
  receives every change: its first `next` is then `{"data": null, "extensions": {"watching": true}}`.
  A client that read what it watches before that reads it again after it, and misses nothing.
- One log line when a connection closes, and gauges of connections and subscriptions in /metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiohttp import ClientConnectionResetError, WSMsgType, web
from graphql import GraphQLError, get_operation_ast
from strawberry.aiohttp.views import AiohttpWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived, WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import NextMessage, NextMessagePayload

from context import Context
from db.loaders import Loaders
from db.pool import CountingDatabase, SharedDatabase
from schema.request_rules import parsed
from services.live_changes import ANNOUNCE_WATCHING
from web.app_keys import DATABASE, KNOWN_FEATURES, METRICS, SETTINGS, SOCKETS
from web.authentication import Authenticator, Caller
from web.callers import Refused, note_use, rate_limit_refusal, verified
from web.documents import document_for
from web.graphql_errors import public_error, request_error_code
from web.requests import REQUEST_ID
from web.sockets import TRY_AGAIN_LATER, TooSlow, close_now, send_text
from web.trusted_documents import DocumentError, document_id_of
from web.ws_protocol import MalformedMessage, decode

log = logging.getLogger("carrier_admin.subscriptions")

# WebSocket close codes (graphql-transport-ws uses 44xx for its own).
CLOSE_CODES = {401: 4401, 403: 4403, 429: 4429, 503: 4503}
# A subscribe payload's `extensions.announceWatching: true` asks for WATCHING as the subscription's first
# `next`, once it receives every change: a client that reads what it watches after that misses nothing.
ANNOUNCE_EXTENSION = "announceWatching"
WATCHING = NextMessagePayload(data=None, extensions={"watching": True})


class TextWebSocket(AiohttpWebSocketAdapter):
    """graphql-transport-ws messages are text frames (the view encodes JSON as bytes, for HTTP); each
    received one is checked against the protocol before anything acts on it, and each sent one must be
    taken by the client in time (web/sockets.py)."""

    malformed: MalformedMessage | None = None
    # The code and reason the server closed the connection with, if it did.
    closed_with: tuple[int, str] | None = None

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        async for frame in self.ws:
            if frame.type == WSMsgType.TEXT:
                try:
                    yield decode(frame.data)
                except MalformedMessage as malformed:
                    self.malformed = malformed
                    raise NonJsonMessageReceived from malformed
            elif frame.type == WSMsgType.BINARY:
                raise NonTextMessageReceived

    async def send_json(self, message: Mapping[str, object]) -> None:
        request: web.Request = self.request
        settings = request.app[SETTINGS]
        try:
            await send_text(
                self.ws,
                request,
                orjson.dumps(message).decode(),
                max_buffered=settings.ws_max_send_buffer_bytes,
                stall_seconds=settings.ws_send_stall_seconds,
            )
        except TooSlow as slow:
            if self.closed_with is None:  # a connection, counted once however many sends then fail
                request.app[METRICS].slow_websockets.inc()
            await self.close(TRY_AGAIN_LATER, f"Too far behind ({slow}): reconnect.")
            raise WebSocketDisconnected from slow
        except (RuntimeError, ClientConnectionResetError) as error:
            raise WebSocketDisconnected from error

    async def close(self, code: int, reason: str) -> None:
        """Close with `code` and `reason`; the connection's one log line says both when it ends."""
        if self.closed_with is None:
            self.closed_with = (code, reason)
        await close_now(self.ws, self.request, code, reason)


class SubscriptionHandler(BaseGraphQLTransportWSHandler[Context, None]):
    caller_key: str | None = None
    opened = 0.0
    idle_task: asyncio.Task[None] | None = None
    expiry_task: asyncio.Task[None] | None = None
    subscriptions_started = 0

    @property
    def request(self) -> web.Request:
        request: web.Request = self.websocket.request  # type: ignore[attr-defined]
        return request

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self.context.transport = "websocket"
        self.opened = time.perf_counter()
        self.request.app[METRICS].websockets.inc()
        self.request.app[SOCKETS].closers.add(self.websocket.close)
        self.idle_task = asyncio.create_task(self._close_when_idle())

    async def handle_message(self, message: Any) -> None:
        """Act on a message (its shape already checked); a failure nothing expected closes the
        connection (4500) with one log line, never an HTTP answer written into the socket."""
        try:
            await super().handle_message(message)
        except Exception as error:
            log.error(
                "websocket message failed (request %s): %s", self.request[REQUEST_ID], type(error).__name__
            )
            await self.websocket.close(4500, "Internal error. Quote the request id to Support.")

    async def handle_task_exception(self, error: Exception) -> None:
        """A subscription's task ends because its connection is gone or being closed: that is said once,
        in the connection's closing line, not as an error with a traceback."""
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def handle_invalid_message(self, error_message: str) -> None:
        malformed = getattr(self.websocket, "malformed", None)
        reason = str(malformed) if malformed is not None else error_message
        await self.websocket.close(4400, reason)  # cut to a close frame's size where it is sent

    async def handle_connection_init(self, message: Any) -> None:
        if self.connection_init_received:
            await super().handle_connection_init(message)  # the protocol's own refusal (4429)
            return
        refused = await self._authenticate(message.get("payload") or {})  # an object (ws_protocol)
        if refused is not None:
            self.connection_init_received = True  # no second try on this connection
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(CLOSE_CODES.get(refused.status, 4400), refused.message)
            return
        await super().handle_connection_init(message)

    async def handle_subscribe(self, message: Any) -> None:
        if not self.connection_acknowledged:
            await super().handle_subscribe(message)  # closes 4401, as the protocol says
            return
        payload = message.get("payload") or {}
        try:
            payload["query"] = await self._document(payload)
        except DocumentError as error:
            await self._error(message.get("id"), error.message, error.code)
            return
        refused = await self._unusable(payload["query"], payload.get("operationName"))
        if refused is not None:
            await self.send_message({"id": message.get("id"), "type": "error", "payload": [refused]})
            return
        limited = await rate_limit_refusal(self.request, self._caller())
        if limited is not None:
            await self._error(
                message.get("id"), f"Too many requests; retry after {limited.retry_after} s.", "RATE_LIMITED"
            )
            return
        self.subscriptions_started += 1
        # The operation's task is made by the protocol's handle_subscribe and inherits this context: a
        # client that asked is told when its subscription receives every change (services/live_changes.py).
        asked = (payload.get("extensions") or {}).get(ANNOUNCE_EXTENSION) is True
        token = ANNOUNCE_WATCHING.set(self._announcer(message["id"]) if asked else None)
        try:
            await super().handle_subscribe(message)
        finally:
            ANNOUNCE_WATCHING.reset(token)

    def _announcer(self, operation_id: str) -> Callable[[], Awaitable[None]]:
        """Sends, once, the `next` that says the subscription `operation_id` is watching: no data (null),
        `extensions.watching` true."""
        announced = False

        async def announce() -> None:
            nonlocal announced
            if not announced:
                announced = True
                # Past send_message above: not an event in the metrics.
                await super(SubscriptionHandler, self).send_message(
                    NextMessage(id=operation_id, type="next", payload=WATCHING)
                )

        return announce

    async def send_message(self, message: Any) -> None:
        if message.get("type") == "next":
            self.request.app[METRICS].subscription_events.inc()
            payload = message.get("payload") or {}
            if payload.get("errors"):
                payload["errors"] = [self._public(error) for error in payload["errors"]]
        elif message.get("type") == "error":
            message["payload"] = [self._public(error) for error in message.get("payload") or []]
        await super().send_message(message)

    async def shutdown(self) -> None:
        for task in (self.idle_task, self.expiry_task):
            if task is not None:
                task.cancel()
        await super().shutdown()
        app = self.request.app
        app[METRICS].websockets.dec()
        sockets = app[SOCKETS]
        sockets.closers.discard(self.websocket.close)
        if self.caller_key is not None:
            sockets.remove_caller(self.caller_key)
        principal = self.context.principal
        closed_with = getattr(self.websocket, "closed_with", None)
        log.info(
            "websocket closed",
            extra={
                "request_id": self.request[REQUEST_ID],
                "caller": f"{principal.kind.value}:{principal.id}",
                # Why the server closed it (a malformed message, a slow reader, an expired credential...),
                # or nothing when the client did.
                "close_code": closed_with[0] if closed_with else None,
                "close_reason": closed_with[1] if closed_with else None,
                "subscriptions": self.subscriptions_started,
                "duration_ms": round((time.perf_counter() - self.opened) * 1000, 2),
                "sql_statements": self.context.statements.count,
            },
        )

    # --- connection_init ----------------------------------------------------------------------

    async def _authenticate(self, payload: dict[str, Any]) -> Refused | None:
        """Verify the payload's credentials; on success the connection's context is the caller's."""
        request, view = self.request, self.view
        authenticator: Authenticator = view.authenticator  # type: ignore[attr-defined]
        headers = payload.get("headers")
        headers = headers if isinstance(headers, dict) else {}
        authorization = (
            payload.get("Authorization") or payload.get("authorization") or headers.get("Authorization")
        )
        if not isinstance(authorization, str) or not authorization.strip():
            return Refused(
                401,
                "Sign in: send Authorization (Bearer <token or API key>) in connection_init.",
                "UNAUTHENTICATED",
            )
        caller = await verified(request, authenticator, view.now, authorization, {})  # type: ignore[attr-defined]
        if isinstance(caller, Refused):
            return caller
        limited = await rate_limit_refusal(request, caller)
        if limited is not None:
            return Refused(429, f"Too many requests; retry after {limited.retry_after} s.", "RATE_LIMITED")
        settings, sockets = request.app[SETTINGS], request.app[SOCKETS]
        key = f"{caller.principal.kind.value}:{caller.principal.id}"
        if sockets.count(key) >= settings.ws_max_connections_per_caller:
            return Refused(
                429,
                f"At most {settings.ws_max_connections_per_caller} open subscription connections per caller.",
                "LIMIT_REACHED",
            )
        sockets.add_caller(key)
        self.caller_key = key
        note_use(request, caller, view.now)  # type: ignore[attr-defined]
        if caller.ends_at is not None:
            self.expiry_task = asyncio.create_task(self._close_at(caller.ends_at, view.now))  # type: ignore[attr-defined]
        context = self.context
        context.principal = caller.principal
        # Each event is read on the subscriptions' share of the pool (web/sockets.py), counted as ever.
        context.db = CountingDatabase(
            SharedDatabase(request.app[DATABASE], request.app[SOCKETS].reads), context.statements
        )
        context.loaders = Loaders(
            context.db, caller.principal.reach, context.now, request.app[KNOWN_FEATURES]
        )
        context.client_address = str(caller.address) if caller.address else None
        return None

    def _caller(self) -> Caller:
        return Caller(self.context.principal, None)

    # --- subscribe ----------------------------------------------------------------------------

    async def _document(self, payload: dict[str, Any]) -> str:
        """The subscription's text: its own, or the trusted document it names, by the rules HTTP
        follows (web/documents.py); documents are registered by hash over HTTP only."""
        query = payload.get("query")
        text = query if isinstance(query, str) else None
        chosen = await document_for(self.request.app, self.context.principal, document_id_of(payload), text)
        if chosen.text is None:
            raise DocumentError("A subscribe message needs a query or a documentId.", "BAD_REQUEST")
        return chosen.text

    async def _unusable(self, query: str, operation_name: Any) -> dict[str, Any] | None:
        """Why the subscribe cannot start before it is run, as an error of this operation: its document
        does not parse, or names no operation it holds. (Left to the protocol handler, either would
        close the whole connection and every subscription on it.)"""
        settings = self.request.app[SETTINGS]
        try:
            document = await parsed(query, settings.max_tokens)
        except GraphQLError as error:
            return public_error(error, self.request[REQUEST_ID], settings.field_suggestions)
        if get_operation_ast(document, operation_name if isinstance(operation_name, str) else None) is None:
            named = f" named {operation_name[:60]!r}" if isinstance(operation_name, str) else ""
            message = f"The document has no operation{named}: name one it holds (operationName)."
            return {
                "message": message,
                "extensions": {"code": "BAD_REQUEST", "requestId": self.request[REQUEST_ID]},
            }
        return None

    async def _error(self, operation_id: Any, message: str, code: str) -> None:
        error = {"message": message, "extensions": {"code": code, "requestId": self.request[REQUEST_ID]}}
        await self.send_message({"id": operation_id, "type": "error", "payload": [error]})

    # --- errors, idleness ---------------------------------------------------------------------

    def _public(self, error: Any) -> Any:
        """As over HTTP: an expected error keeps its code; an unexpected one is masked (the executor's
        error log has it in full)."""
        if not isinstance(error, dict):
            return error
        extensions = dict(error.get("extensions") or {})
        request_id = self.request[REQUEST_ID]
        if "code" in extensions:
            return {**error, "extensions": {**extensions, "requestId": request_id}}
        if error.get("message") == "Subscription limit reached":  # the protocol handler's own words
            limit = self.request.app[SETTINGS].ws_max_subscriptions
            return {
                "message": f"At most {limit} subscriptions per connection; complete one first.",
                "extensions": {"code": "LIMIT_REACHED", "limit": limit, "requestId": request_id},
            }
        if error.get("path") is None:
            # Not one of ours (they carry a code): said in the log, so that no subscription ends unseen.
            code = request_error_code(str(error.get("message")), None, syntax=False)
            log.warning("subscription error (request %s, %s): %s", request_id, code, error.get("message"))
            return {**error, "extensions": {"code": code, "requestId": request_id}}
        log.error("unexpected error in a subscription (request %s): %s", request_id, error.get("message"))
        masked: dict[str, Any] = {
            "message": "Internal error. Quote the request id to Support.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            "path": error["path"],
        }
        return masked

    async def _close_at(self, ends_at: float, now: Callable[[], datetime]) -> None:
        """A connection lives no longer than the credential it was opened with: a person signs in
        again, a key's integration reconnects with its new key."""
        await asyncio.sleep(max(0.0, ends_at - now().timestamp()))
        await self.websocket.close(4401, "Your sign-in or API key expired: authenticate again.")

    async def _close_when_idle(self) -> None:
        idle = self.request.app[SETTINGS].ws_idle_timeout_seconds
        quiet_since = time.monotonic()
        while True:
            await asyncio.sleep(min(idle, 5.0))
            if self.operations:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= idle:
                await self.websocket.close(4408, f"No subscription for {idle:g} s: closed.")
                return


def handler_options(settings: Any) -> dict[str, Any]:
    """The view's WebSocket options from the settings."""
    return {
        "connection_init_wait_timeout": timedelta(seconds=settings.ws_init_timeout_seconds),
        "max_subscriptions_per_connection": settings.ws_max_subscriptions,
    }
