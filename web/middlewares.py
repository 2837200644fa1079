"""Middlewares around every route: CORS for the configured origins, and an error shield."""

from __future__ import annotations

import logging
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from web.app_keys import SETTINGS
from web.compression import add_vary
from web.responses import error_response

log = logging.getLogger("carrier_admin.http")

# The status of the answer to a client that hung up (nginx's "client closed request"): never sent, only
# what aiohttp's access log would show.
CLIENT_LEFT = 499
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-Request-Id, X-Requested-With, GraphQL-Preflight"


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Browsers may call the API from the configured origins only; everything else gets no CORS headers."""
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin.rstrip("/") in request.app[SETTINGS].allowed_origins
    if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
        if not allowed:
            return web.Response(status=403, text="origin not allowed")
        response: web.StreamResponse = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response = await handler(request)
    if allowed and origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "X-Request-Id, Retry-After"
        add_vary(response, "Origin")
    return response


@web.middleware
async def error_shield(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Nothing escapes as a stack trace: HTTP errors keep their status, anything else is a masked 500."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        request_id = uuid.uuid4().hex
        return error_response(error.status, error.reason, error.reason.upper().replace(" ", "_"), request_id)
    except Exception as error:
        if isinstance(error, ConnectionResetError) and _client_left(request):
            # The client hung up before its answer (during a WebSocket upgrade, say): nobody is left to
            # answer, and nothing of ours failed. aiohttp drops the response it can no longer send.
            log.info("the client left before its answer (%s)", type(error).__name__)
            return web.Response(status=CLIENT_LEFT, reason="Client Closed Request")
        request_id = uuid.uuid4().hex
        log.exception("unhandled error (request %s)", request_id)
        return error_response(
            500, "Internal error. Quote the request id to Support.", "INTERNAL_SERVER_ERROR", request_id
        )


def _client_left(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()
