"""carrier-admin: the aiohttp application factory and the command line.

python server.py [serve]   serve the API (GraphiQL at /graphql)
python server.py migrate   apply pending database migrations and exit
python server.py demo      load the demo data set (idempotent)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import asyncpg
import uvloop
from aiohttp import web
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from db import embedded
from db.features import KnownFeatures
from db.kept_pool import KeptPool
from db.migrate import MigrationError, migrate
from db.pool import Database, PoolDatabase, create_pool
from schema.build import schema_for
from services.change_feed import ChangeFeed
from services.key_cache import KeyCache
from services.key_expiry_job import KeyExpiryJob
from services.key_usage import KeyUsageRecorder
from services.live_changes import LiveChanges
from settings import Settings, SettingsError
from web import (
    exports,
    graphiql_page,
    health,
    logs,
    metrics_endpoint,
    middlewares,
    serving,
    sign_in,
    subscriptions,
    tools_page,
    tracing,
)
from web.app_keys import (
    AUTHENTICATOR,
    CHANGE_FEED,
    CLOCK,
    DATABASE,
    KEY_CACHE,
    KEY_USAGE,
    KNOWN_FEATURES,
    LIVE,
    METRICS,
    PERSISTED_QUERIES,
    RATE_LIMITER,
    SETTINGS,
    SOCKETS,
    STREAMS,
    TRUSTED_DOCUMENTS,
)
from web.authentication import Authenticator
from web.lean import LeanPath
from web.metrics import Metrics
from web.persisted_queries import PersistedQueries
from web.rate_limit import rate_limiter
from web.serving import SHUTDOWN_SHARES
from web.sockets import Sockets
from web.streams import Streams
from web.trusted_documents import TrustedDocuments
from web.view import GraphQLView, utc_now

log = logging.getLogger("carrier_admin")


def init_app(
    settings: Settings, *, database: Database | None = None, now: Callable[[], datetime] = utc_now
) -> web.Application:
    """The application. With `database` given (tests), it is used as is and nothing is started;
    `now` is the clock every expiry is judged by (tests move it)."""
    app = web.Application(
        client_max_size=settings.max_body_bytes, middlewares=[middlewares.error_shield, middlewares.cors]
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[KNOWN_FEATURES] = KnownFeatures()
    app[TRUSTED_DOCUMENTS] = TrustedDocuments.load(settings.trusted_documents_path)
    app[PERSISTED_QUERIES] = PersistedQueries.from_settings(settings)
    app.cleanup_ctx.append(_rate_limiter_ctx)
    if database is not None:
        app[DATABASE] = database
        app[CHANGE_FEED] = None  # not our database to listen on: nothing is remembered
        app[KEY_CACHE] = KeyCache(None)
        app[LIVE] = LiveChanges(None)
    else:
        app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(_key_usage_ctx)
    app.cleanup_ctx.append(functools.partial(_key_expiry_ctx, now=now))
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_get("/metrics", metrics_endpoint.public)
    app.router.add_get("/graphiql/assets/{name}", graphiql_page.asset)
    traced = None
    if settings.otel_exporter_endpoint:
        tracing.configure(settings.otel_exporter_endpoint)
        traced = tracing.Tracing
    served = schema_for(fast=settings.fast_path, tracing=traced)
    app[AUTHENTICATOR] = authenticator = Authenticator(settings, now)
    app[CLOCK] = now
    app[SOCKETS] = Sockets(reads=asyncio.Semaphore(settings.ws_db_connections))
    app[STREAMS] = Streams(most=settings.export_max_concurrent, per_caller=settings.export_max_per_caller)
    app.on_shutdown.append(_end_long_lived_work)
    # Not beside tracing: its spans come from Strawberry's extension pipeline, which the lean path skips.
    leans = settings.lean_path and served.plans is not None and not traced
    lean = LeanPath(served, settings) if leans else None
    view = GraphQLView(
        schema=served,
        authenticator=authenticator,
        now=now,
        lean=lean,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        **subscriptions.handler_options(settings),
    )
    app.router.add_route("*", "/graphql", view)
    app.on_cleanup.append(view.end_time_limits)
    exports.add_routes(app)
    sign_in.add_routes(app)
    tools_page.add_routes(app)  # last: its catch-all answers the page's own routes
    return app


async def _end_long_lived_work(app: web.Application) -> None:
    """SIGTERM: before in-flight requests are waited for, close every WebSocket (1001) and end every
    export stream, at once: neither would end by itself within the shutdown's time."""
    grace = app[SETTINGS].shutdown_timeout_seconds * SHUTDOWN_SHARES["long_lived"]
    await asyncio.gather(app[SOCKETS].close_all(), app[STREAMS].end_all(grace))


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    url, embedded_server = await resolve_database_url(settings)
    try:
        pool = await create_pool(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            statement_timeout_seconds=settings.statement_timeout_seconds,
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
                await conn.reset()  # the pool's release does not (db/pool.keep_session)
            app[DATABASE] = database = PoolDatabase(pool, settings.pool_acquire_timeout_seconds)
            try:
                async with _change_feed(app, url):
                    yield
            finally:
                database.waits.close()
        finally:
            await _close_pool(pool, settings.shutdown_timeout_seconds * SHUTDOWN_SHARES["pool"])
    finally:
        if embedded_server is not None:
            await asyncio.to_thread(embedded.stop, embedded_server)


async def _close_pool(pool: KeptPool, grace_seconds: float) -> None:
    """Close the pool, waiting for borrowed connections at most `grace_seconds`, then terminate."""
    try:
        async with asyncio.timeout(grace_seconds):
            await pool.close()
    except TimeoutError:
        log.warning("connections still borrowed at shutdown after %.1f s: terminated", grace_seconds)
        pool.terminate()


@contextlib.asynccontextmanager
async def _change_feed(app: web.Application, url: str) -> AsyncIterator[None]:
    """The instance's listening connection, and the key cache that trusts only what it says."""
    feed = ChangeFeed(lambda: asyncpg.connect(url))
    app[CHANGE_FEED] = feed
    app[KEY_CACHE] = app[AUTHENTICATOR].key_cache = KeyCache(feed)
    app[LIVE] = LiveChanges(feed)
    await feed.start()
    try:
        yield
    finally:
        await feed.stop()


async def _rate_limiter_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    limiter = rate_limiter(settings.redis_url, retry_seconds=settings.rate_limit_redis_retry_seconds)
    app[RATE_LIMITER] = limiter
    yield
    await limiter.close()


async def _key_usage_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    recorder = KeyUsageRecorder(
        app[DATABASE], settings.last_used_flush_seconds, settings.key_usage_retention_days
    )
    app[KEY_USAGE] = recorder
    async for _ in recorder.running():
        yield


async def _key_expiry_ctx(app: web.Application, *, now: Callable[[], datetime]) -> AsyncIterator[None]:
    interval = app[SETTINGS].key_expiry_check_seconds
    if interval <= 0:
        yield
        return
    async for _ in KeyExpiryJob(app[DATABASE], interval, now).running():
        yield


async def resolve_database_url(settings: Settings) -> tuple[str, object | None]:
    """DATABASE_URL when set; otherwise start the embedded PostgreSQL and return its handle too."""
    if settings.database_url:
        return settings.database_url, None
    return await asyncio.to_thread(embedded.start, settings.embedded_pgdata)


async def _run_with_connection(settings: Settings, job: str) -> None:
    url, embedded_server = await resolve_database_url(settings)
    try:
        conn = await asyncpg.connect(url)
        try:
            applied = await migrate(conn)
            print(f"migrations applied: {', '.join(applied) or 'none pending'}")
            if job == "demo":
                from db import demo

                await demo.load(conn)
                print("demo data loaded")
        finally:
            await conn.close()
    finally:
        if embedded_server is not None:
            await asyncio.to_thread(embedded.stop, embedded_server)


def mint_token(settings: Settings, args: argparse.Namespace) -> int:
    """Print a development token; refused unless the server runs with its development secret."""
    from access.tokens import TokenSettings, mint_development_token

    secret = settings.development_secret()
    if settings.is_production or secret is None:
        print("the token command only works in development (CARRIER_ADMIN_ENV=development)", file=sys.stderr)
        return 2
    if not (args.staff or args.carrier or args.organization):
        print("say who the token is for: --staff, --carrier CODE or --organization ID", file=sys.stderr)
        return 2
    token_settings = TokenSettings.from_settings(settings)
    token = mint_development_token(
        token_settings,
        subject=args.subject,
        name=args.name,
        email=args.email,
        staff=args.staff,
        carrier_codes=args.carrier,
        organization_ids=[uuid.UUID(o) for o in args.organization],
    )
    print(token)
    return 0


def tune_garbage_collector(young_threshold: int) -> None:
    """A nested query allocates hundreds of thousands of short-lived objects; with the default
    threshold (700) the cyclic collector runs hundreds of times per request. Everything loaded at
    start-up is frozen out of its reach, and it runs once per `young_threshold` allocations instead
    (measured: 12-15% less CPU per nested query; bench/profile_nested.py)."""
    gc.freeze()
    gc.set_threshold(young_threshold, 50, 100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="server.py", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "demo", "token"])
    parser.add_argument("--staff", action="store_true", help="token: a platform staff member")
    parser.add_argument("--carrier", action="append", default=[], help="token: administers this carrier code")
    parser.add_argument(
        "--organization", action="append", default=[], help="token: administers this organization id"
    )
    parser.add_argument("--subject", default="dev-user", help="token: the person's subject")
    parser.add_argument("--name", default="Development User", help="token: the person's name")
    parser.add_argument("--email", default=None, help="token: the person's email")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format if args.command == "serve" else "text")
    if args.command == "token":
        return mint_token(settings, args)
    try:
        if args.command == "serve":
            # uvloop: a faster event loop. web/serving.py: the listener, and SIGTERM's graceful stop.
            tune_garbage_collector(settings.gc_young_threshold)
            uvloop.run(serving.serve(init_app(settings), settings))
        else:
            asyncio.run(_run_with_connection(settings, args.command))
    except MigrationError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
