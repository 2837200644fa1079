"""carrier-admin: the aiohttp application factory and the command line.

python server.py [serve]   serve the API (GraphiQL at /graphql)
python server.py migrate   apply pending database migrations and exit
python server.py demo      load the demo data set (idempotent)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from db import embedded
from db.migrate import MigrationError, migrate
from db.pool import Database, PoolDatabase, create_pool
from schema.build import schema
from settings import Settings, SettingsError
from web import health
from web.app_keys import DATABASE, SETTINGS
from web.view import GraphQLView

log = logging.getLogger("carrier_admin")


def init_app(settings: Settings, *, database: Database | None = None) -> web.Application:
    """The application. With `database` given (tests), it is used as is and nothing is started."""
    app = web.Application()
    app[SETTINGS] = settings
    if database is not None:
        app[DATABASE] = database
    else:
        app.cleanup_ctx.append(_database_ctx)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)
    app.router.add_route("*", "/graphql", GraphQLView(schema=schema))
    return app


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
            app[DATABASE] = PoolDatabase(pool)
            yield
        finally:
            await pool.close()
    finally:
        if embedded_server is not None:
            await asyncio.to_thread(embedded.stop, embedded_server)


async def resolve_database_url(settings: Settings) -> tuple[str, object | None]:
    """DATABASE_URL when set; otherwise start the embedded PostgreSQL and return its handle too."""
    if settings.database_url:
        return settings.database_url, None
    return await asyncio.to_thread(embedded.start, settings.embedded_pgdata)


async def _run_with_connection(settings: Settings, job: str) -> None:
    import asyncpg

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="server.py", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "demo"])
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # pgserver narrates every pg_ctl call at INFO; its warnings and errors still show.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        if args.command == "serve":
            web.run_app(init_app(settings), host=settings.host, port=settings.port)
        else:
            asyncio.run(_run_with_connection(settings, args.command))
    except MigrationError as error:
        print(f"cannot start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
