"""Error responses the web layer answers by itself (before or around GraphQL): one JSON shape for all."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
UNAVAILABLE = "The database is not answering; try again shortly."


def error_response(
    status: int,
    message: str,
    code: str,
    request_id: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    all_headers = {"X-Request-Id": request_id, "Cache-Control": "no-store", **(headers or {})}
    if status == 401:
        all_headers["WWW-Authenticate"] = 'Bearer realm="carrier-admin"'
    body = {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id, **extra}}]}
    return web.Response(
        body=orjson.dumps(body), status=status, headers=all_headers, content_type=JSON, charset="utf-8"
    )


def rate_limited(request_id: str, retry_after: int, what: str) -> web.Response:
    return error_response(
        429,
        f"Too many {what}; retry after {retry_after} s.",
        "RATE_LIMITED",
        request_id,
        headers={"Retry-After": str(retry_after)},
        retryAfter=retry_after,
    )


def media_type(request: web.Request) -> str:
    """The media type a GraphQL answer goes out in: GraphQL over HTTP's when the client accepts it."""
    accept = request.headers.get("Accept", "")
    return GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON
