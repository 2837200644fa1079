"""Liveness and readiness: /healthz answers while the process lives, /readyz while PostgreSQL does (and
says where rate limits are counted)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from web.app_keys import CHANGE_FEED, DATABASE, RATE_LIMITER

READINESS_TIMEOUT_SECONDS = 1.0


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    database = request.app[DATABASE]
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), database.acquire() as conn:
            await conn.fetchval("select 1")
    # Any failure to answer, whatever its kind, means "not ready".
    except Exception as error:
        return web.json_response({"status": "unavailable", "reason": type(error).__name__}, status=503)
    # Degraded but serving: limits counted per process while Redis is unreachable.
    # Degraded but serving, too: while the change feed is not listening, keys are looked up every time.
    feed = request.app[CHANGE_FEED]
    change_feed = "off" if feed is None else ("listening" if feed.listening else "reconnecting")
    return web.json_response(
        {"status": "ready", "rateLimits": request.app[RATE_LIMITER].backend, "changeFeed": change_feed}
    )
