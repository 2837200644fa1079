"""CSV exports for audits: a carrier's API keys and its activity log, streamed.

    GET /export/carriers/{carrierId}/api-keys.csv   (KEYS_READ)
    GET /export/carriers/{carrierId}/activity.csv   (ACTIVITY_READ)

The same authentication (`Authorization: Bearer <token or API key>`), rate limits, tenant rules and
scopes as GraphQL; another tenant's carrier is not found. The rows are read through a cursor in one
read-only snapshot and written as they come, so an export of any size holds little memory. A cell that
a spreadsheet would run as a formula (=, +, -, @, tab, return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC

from aiohttp import web

from access.principal import Scope
from context import Context
from db.carriers import CarrierRow
from db.pool import StatementCounter
from resolvers import exports
from resolvers.errors import ApiError, BadUserInput
from resolvers.failures import NotFoundFailure
from web.app_keys import AUTHENTICATOR, CLOCK
from web.callers import context_for, identify, note_use, within_rate_limit
from web.requests import REQUEST_ID, STATEMENTS, request_id_of
from web.responses import error_response

ROWS_PER_CHUNK = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Export:
    name: str
    scope: Scope
    header: list[str]
    rows: Callable[[Context, CarrierRow, Mapping[str, str]], AsyncIterator[list[str]]]


API_KEYS = Export("api-keys", Scope.KEYS_READ, exports.API_KEY_COLUMNS, exports.api_key_rows)
ACTIVITY = Export("activity", Scope.ACTIVITY_READ, exports.ACTIVITY_COLUMNS, exports.activity_rows)


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
        carrier = await exports.carrier_for_export(context, request.match_info["carrier"], export.scope)
        rows = export.rows(context, carrier, request.query)
        # The first row before the response starts: a parameter it refuses is still a 400.
        first = await anext(rows, None)
    except BadUserInput as error:
        return _refusal(400, error, request_id)
    except ApiError as error:
        return _refusal(403, error, request_id)
    except NotFoundFailure as failure:
        return error_response(404, failure.message, "NOT_FOUND", request_id)
    try:
        return await _stream(request, Page(export, carrier, first, rows), context)
    finally:
        context.release()


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
    limited = await within_rate_limit(request, caller)
    if limited is not None:
        return limited
    note_use(request, caller, now)
    return context_for(request, caller, now)


def _refusal(status: int, error: ApiError, request_id: str) -> web.Response:
    extra = {name: value for name, value in error.extensions.items() if name != "code"}
    return error_response(status, error.message, error.code, request_id, **extra)


@dataclass(frozen=True, slots=True)
class Page:
    """What one export sends: its rows, the first already read."""

    export: Export
    carrier: CarrierRow
    first: list[str] | None
    rest: AsyncIterator[list[str]]


async def _stream(request: web.Request, page: Page, context: Context) -> web.StreamResponse:
    day = context.now().astimezone(UTC).date().isoformat()
    code = re.sub(r"[^A-Za-z0-9_-]", "_", page.carrier.code)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{code}-{page.export.name}-{day}.csv"',
            "Cache-Control": "no-store",
            "X-Request-Id": request[REQUEST_ID],
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    await response.write(_csv([page.export.header]))
    chunk: list[list[str]] = [page.first] if page.first is not None else []
    async for row in page.rest:
        chunk.append(row)
        if len(chunk) >= ROWS_PER_CHUNK:
            await response.write(_csv(chunk))
            chunk = []
    await response.write(_csv(chunk))
    await response.write_eof()
    return response


async def api_keys_csv(request: web.Request) -> web.StreamResponse:
    return await _serve(request, API_KEYS)


async def activity_csv(request: web.Request) -> web.StreamResponse:
    return await _serve(request, ACTIVITY)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/export/carriers/{carrier}/api-keys.csv", api_keys_csv)
    app.router.add_get("/export/carriers/{carrier}/activity.csv", activity_csv)
