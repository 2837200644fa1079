"""Who a request is from, and whether it may be served now: credentials verified (with a limit on
failed attempts per address), the caller's rate limit, and the note of a key's use. The GraphQL view and
the CSV exports share it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from access.addresses import IPAddress, address_text
from access.principal import PrincipalKind
from context import Context
from db.loaders import Loaders
from db.pool import DATABASE_DOWN, CountingDatabase, Database
from services.key_usage import Outcome
from web.app_keys import (
    DATABASE,
    KEY_CACHE,
    KEY_USAGE,
    KNOWN_FEATURES,
    LIVE,
    METRICS,
    RATE_LIMITER,
    SETTINGS,
)
from web.authentication import AuthenticationError, Authenticator, Caller
from web.rate_limit import Decision
from web.requests import REQUEST_ID, STATEMENTS
from web.responses import UNAVAILABLE, error_response, rate_limited

log = logging.getLogger("carrier_admin.callers")


def forwarded_for(request: web.Request) -> str | None:
    """Every X-Forwarded-For line, in order, as one list: a proxy may append a line of its own
    (HAProxy's `option forwardfor`), and reading only the first would let the client pick its address."""
    lines = [line for line in request.headers.getall("X-Forwarded-For", []) if line.strip()]
    return ", ".join(lines) if lines else None


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a caller is not served: what an HTTP response or a WebSocket's close says."""

    status: int
    message: str
    code: str
    retry_after: int | None = None

    def response(self, request_id: str) -> web.Response:
        if self.retry_after is not None:
            return rate_limited(request_id, self.retry_after, self.message)
        return error_response(self.status, self.message, self.code, request_id)


async def identify(
    request: web.Request, authenticator: Authenticator, now: Callable[[], datetime]
) -> Caller | web.StreamResponse:
    """Who the request is from (its credentials verified), or the response that refuses it."""
    caller = await verified(request, authenticator, now, request.headers.get("Authorization"), request.query)
    return caller.response(request[REQUEST_ID]) if isinstance(caller, Refused) else caller


async def verified(
    request: web.Request,
    authenticator: Authenticator,
    now: Callable[[], datetime],
    authorization: str | None,
    query: Mapping[str, str],
) -> Caller | Refused:
    """The caller behind `authorization` (a header's value, or a WebSocket's connection_init), or why
    it is refused: refused credentials, the database not answering.

    Who the caller is comes first: credentials that verify are served whatever else comes from their
    address, and a known key that is refused (revoked, expired, not from this address) gets its own
    answer. Only credentials that match nothing (a guess, a typo, a forged token) are counted against
    their address, RATE_LIMIT_FAILED_AUTH_PER_ADDRESS a minute; past it they are answered 429 instead of
    401, so that a client guessing learns to stop, while everyone else behind the same address (a
    shared NAT) keeps working."""
    app = request.app
    address = authenticator.address_of(request.remote, forwarded_for(request))
    try:
        caller = await authenticator.authenticate(
            authorization=authorization,
            query=query,
            address=address,
            database=CountingDatabase(app[DATABASE], request[STATEMENTS]),
        )
    except AuthenticationError as error:
        return await _refused(request, error, address, now)
    except DATABASE_DOWN:
        log.warning("authentication could not reach the database", exc_info=True)
        app[METRICS].key_verifications.labels("error").inc()
        return Refused(503, UNAVAILABLE, "SERVICE_UNAVAILABLE")
    if caller.key is not None:
        app[METRICS].keys_admitted += 1
    return caller


async def _refused(
    request: web.Request,
    error: AuthenticationError,
    address: IPAddress | None,
    now: Callable[[], datetime],
) -> Refused:
    app = request.app
    settings, limiter, metrics = app[SETTINGS], app[RATE_LIMITER], app[METRICS]
    metrics.key_verifications.labels(error.kind).inc()
    if error.key_id is not None and error.refusal is not None:
        app[KEY_USAGE].note_refusal(error.key_id, error.refusal, now(), address_text(address))
        return Refused(error.status, error.message, error.code)
    failures = await _guarded(limiter.hit(f"authfail:{address}", settings.rate_limit_failed_auth_per_address))
    if not failures.allowed:
        metrics.rate_limited.labels("failed_auth").inc()
        return Refused(429, "failed authentication attempts", "RATE_LIMITED", failures.retry_after)
    return Refused(error.status, error.message, error.code)


async def within_rate_limit(
    request: web.Request, caller: Caller, now: Callable[[], datetime]
) -> web.StreamResponse | None:
    """None while the caller is within its rate limit (per key, per person, per address); else a 429,
    which is the request's outcome in a key's usage counts."""
    refused = await rate_limit_refusal(request, caller)
    if refused is None:
        return None
    if caller.key is not None:
        request.app[KEY_USAGE].count(caller.key.id, now(), Outcome.RATE_LIMITED)
    return refused.response(request[REQUEST_ID])


async def rate_limit_refusal(request: web.Request, caller: Caller) -> Refused | None:
    settings, limiter = request.app[SETTINGS], request.app[RATE_LIMITER]
    principal = caller.principal
    if principal.kind is PrincipalKind.API_KEY:
        bucket, limit = f"key:{principal.id}", settings.rate_limit_per_key
    elif principal.kind in (PrincipalKind.STAFF, PrincipalKind.ADMIN):
        bucket, limit = f"person:{principal.id}", settings.rate_limit_per_person
    else:
        bucket, limit = f"address:{caller.address}", settings.rate_limit_per_address
    decision = limiter.hit_now(bucket, limit) or await _guarded(limiter.hit(bucket, limit))
    if decision.allowed:
        return None
    request.app[METRICS].rate_limited.labels(bucket.split(":")[0]).inc()
    return Refused(429, "requests for this caller", "RATE_LIMITED", decision.retry_after)


def context_for(
    request: web.Request, caller: Caller, now: Callable[[], datetime], database: Database | None = None
) -> Context:
    """The request's context for the resolvers: its caller, its loaders, its counted database (the
    application's, or the request's own share of it)."""
    statements = request[STATEMENTS]
    db = CountingDatabase(database or request.app[DATABASE], statements)
    return Context(
        key_usage=request.app[KEY_USAGE],
        settings=request.app[SETTINGS],
        principal=caller.principal,
        db=db,
        loaders=Loaders(db, caller.principal.reach, now, request.app[KNOWN_FEATURES]),
        statements=statements,
        request_id=request[REQUEST_ID],
        client_address=address_text(caller.address),
        now=now,
        key_cache=request.app.get(KEY_CACHE),
        live=request.app.get(LIVE),
        json_writer=True,  # web/view.py's encode_json and web/lean.py write the response with orjson
    )


def note_use(request: web.Request, caller: Caller, now: Callable[[], datetime]) -> None:
    """A key's use, for its last-use record and its usage counts (written once a minute)."""
    if caller.key is not None:
        request.app[KEY_USAGE].note_use(caller.key.id, now(), caller.used_from)


async def _guarded(check: Awaitable[Decision]) -> Decision:
    """A rate limiter that is down (Redis unreachable) must not take the API down with it."""
    try:
        return await check
    except Exception:
        log.warning("rate limiter unavailable; request let through", exc_info=True)
        return Decision(allowed=True, retry_after=0)
