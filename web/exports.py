"""CSV exports for audits: a carrier's API keys and its activity log, streamed.

    GET /export/carriers/{carrierId}/api-keys.csv   (KEYS_READ)
    GET /export/carriers/{carrierId}/activity.csv   (ACTIVITY_READ)
    GET /export/carriers/{carrierId}/api-key-usage.csv   (KEYS_READ: the keys' requests per hour)

The same authentication (`Authorization: Bearer <token or API key>`), rate limits, tenant rules and
scopes as GraphQL; another tenant's carrier is not found. The rows are read through a cursor in one
read-only snapshot and written as they come, so an export of any size holds little memory. A cell that
a spreadsheet would run as a formula (=, +, -, @, tab, return) gets a leading apostrophe.

An export holds a database connection while it streams: how many may run, and how each one ends (a
client that goes away, stops reading or takes too long; the server stopping), is web/streams.py's.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC

import asyncpg
from aiohttp import web

from access.principal import Scope
from context import Context
from db.carriers import CarrierRow
from db.pool import StatementCounter
from resolvers import exports
from resolvers.errors import ApiError, BadUserInput, NotFound
from web.app_keys import AUTHENTICATOR, CLOCK, METRICS, SETTINGS, STREAMS
from web.callers import context_for, identify, note_use, within_rate_limit
from web.requests import REQUEST_ID, STATEMENTS, request_id_of
from web.responses import error_response
from web.streams import StreamEnded, drop_connection, within, write_within

log = logging.getLogger("carrier_admin.exports")

ROWS_PER_CHUNK = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Export:
    name: str
    scope: Scope
    header: list[str]
    # The rows for a carrier and the request's parameters (checked at once: a bad one is a 400).
    rows: Callable[[Context, CarrierRow, Mapping[str, str]], exports.RowSource]


API_KEYS = Export("api-keys", exports.EXPORTS["exportApiKeys"], exports.API_KEY_COLUMNS, exports.api_key_rows)
KEY_USAGE = Export(
    "api-key-usage", exports.EXPORTS["exportApiKeys"], exports.KEY_USAGE_COLUMNS, exports.key_usage_rows
)
ACTIVITY = Export(
    "activity", exports.EXPORTS["exportActivity"], exports.ACTIVITY_COLUMNS, exports.activity_rows
)


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode()


async def _serve(request: web.Request, export: Export) -> web.StreamResponse:
    """Identify the caller as /graphql does, find the carrier, check the parameters, stream the rows."""
    request[REQUEST_ID] = request_id = request_id_of(request)
    request[STATEMENTS] = StatementCounter()
    context = await _context(request)
    if isinstance(context, web.StreamResponse):
        return context
    try:
        try:
            carrier = await exports.carrier_for_export(context, request.match_info["carrier"], export.scope)
            rows = export.rows(context, carrier, request.query)
        except BadUserInput as error:
            return _refusal(400, error, request_id)
        except NotFound as error:
            return _refusal(404, error, request_id)  # naming what was not found, as every refusal does
        except ApiError as error:
            return _refusal(403, error, request_id)
        return await _stream_admitted(request, Page(export, carrier, rows), context)
    finally:
        context.release()


async def _stream_admitted(request: web.Request, page: Page, context: Context) -> web.StreamResponse:
    """Stream the page if one more export may run now (for this caller, on this instance)."""
    streams, settings = request.app[STREAMS], request.app[SETTINGS]
    principal = context.principal
    caller = f"{principal.kind.value}:{principal.id}"
    refused = streams.refusal(caller)
    if refused is not None:
        return error_response(
            refused.status,
            refused.message,
            refused.code,
            request[REQUEST_ID],
            headers={"Retry-After": str(refused.retry_after)},
            retryAfter=refused.retry_after,
        )
    response = _csv_response(request, page, context)
    metrics = request.app[METRICS]
    metrics.exports.inc()
    with streams.running_for(caller):
        # The stream's whole life, the database connection's included, is bounded; the stall limit
        # bounds each write within it, and PostgreSQL's own idle limit backs both.
        limit = settings.export_timeout_seconds
        try:
            async with asyncio.timeout(limit):
                async with (
                    exports.snapshot(context.db, limit) as conn,
                    contextlib.aclosing(page.rows(conn)) as rows,
                ):
                    await _stream(request, response, page.export.header, rows, settings.export_stall_seconds)
                # The database connection is back in the pool before the client is told the file is whole.
                await within(response.write_eof(), settings.export_stall_seconds)
        except (StreamEnded, TimeoutError, ConnectionError) as ended:
            why = "it ran past EXPORT_TIMEOUT_SECONDS" if isinstance(ended, TimeoutError) else str(ended)
            log.info("export %s ended early: %s (request %s)", page.export.name, why, request[REQUEST_ID])
            drop_connection(request)
        except asyncpg.PostgresError as error:
            # Headers are sent: the client can only be told by a connection that ends short.
            log.warning(
                "export %s failed in the database: %s (request %s)",
                page.export.name,
                type(error).__name__,
                request[REQUEST_ID],
            )
            drop_connection(request)
        finally:
            metrics.exports.dec()
    return response


async def _context(request: web.Request) -> Context | web.StreamResponse:
    """The request's context for a signed-in caller within its rate limit, or the refusal."""
    now = request.app[CLOCK]
    caller = await identify(request, request.app[AUTHENTICATOR], now)
    if isinstance(caller, web.StreamResponse):
        return caller
    if not caller.principal.is_authenticated:
        return error_response(
            401,
            "Sign in: send `Authorization: Bearer <token or API key>`.",
            "UNAUTHENTICATED",
            request[REQUEST_ID],
        )
    limited = await within_rate_limit(request, caller, now)
    if limited is not None:
        return limited
    note_use(request, caller, now)
    return context_for(request, caller, now)


def _refusal(status: int, error: ApiError, request_id: str) -> web.Response:
    extra = {name: value for name, value in error.extensions.items() if name != "code"}
    return error_response(status, error.message, error.code.value, request_id, **extra)


@dataclass(frozen=True, slots=True)
class Page:
    """What one export sends: its carrier's rows, parameters checked."""

    export: Export
    carrier: CarrierRow
    rows: exports.RowSource


def _csv_response(request: web.Request, page: Page, context: Context) -> web.StreamResponse:
    day = context.now().astimezone(UTC).date().isoformat()
    code = re.sub(r"[^A-Za-z0-9_-]", "_", page.carrier.code)
    return web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{code}-{page.export.name}-{day}.csv"',
            "Cache-Control": "no-store",
            "X-Request-Id": request[REQUEST_ID],
            "X-Content-Type-Options": "nosniff",
        }
    )


async def _stream(
    request: web.Request,
    response: web.StreamResponse,
    header: list[str],
    rows: AsyncIterator[list[str]],
    stall_seconds: float,
) -> None:
    """The header, then the rows a chunk at a time, each write taken by the client in time (the end of
    the response is the caller's to write)."""
    await response.prepare(request)
    await write_within(response, _csv([header]), stall_seconds)
    chunk: list[list[str]] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= ROWS_PER_CHUNK:
            await write_within(response, _csv(chunk), stall_seconds)
            chunk = []
    await write_within(response, _csv(chunk), stall_seconds)


async def api_keys_csv(request: web.Request) -> web.StreamResponse:
    return await _serve(request, API_KEYS)


async def activity_csv(request: web.Request) -> web.StreamResponse:
    return await _serve(request, ACTIVITY)


async def key_usage_csv(request: web.Request) -> web.StreamResponse:
    return await _serve(request, KEY_USAGE)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/export/carriers/{carrier}/api-keys.csv", api_keys_csv)
    app.router.add_get("/export/carriers/{carrier}/activity.csv", activity_csv)
    app.router.add_get("/export/carriers/{carrier}/api-key-usage.csv", key_usage_csv)
