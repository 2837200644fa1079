"""/metrics: Prometheus's scrape, never open to everyone in production.

On the public port it needs `Authorization: Bearer <METRICS_TOKEN>` when a token is set; in production
without one it is not served there at all. METRICS_PORT serves it on a listener of its own (bind it to
an internal interface with METRICS_HOST), without a token: the network is the protection there.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from web.app_keys import CHANGE_FEED, DATABASE, KEY_CACHE, METRICS, RATE_LIMITER, SETTINGS


def render(app: web.Application) -> web.Response:
    return app[METRICS].render(app[DATABASE], app[RATE_LIMITER], app.get(CHANGE_FEED), app.get(KEY_CACHE))


async def public(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    token = settings.metrics_token
    if token is None:
        if settings.is_production:
            raise web.HTTPNotFound()
        return render(request.app)
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()):
        return web.Response(
            status=401,
            text="/metrics needs the METRICS_TOKEN bearer token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return render(request.app)


def internal_app(main: web.Application) -> web.Application:
    """The listener METRICS_PORT serves: /metrics of the main application, and nothing else."""
    app = web.Application()

    async def scrape(request: web.Request) -> web.Response:
        return render(main)

    app.router.add_get("/metrics", scrape)
    return app
