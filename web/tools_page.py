"""The Tools page: the admin single-page app (frontend/), built by Vite and served from this origin.

`/` and every page route answer `index.html` (the app routes in the browser), never cached, with a
strict Content-Security-Policy: scripts, styles and fonts from this server only; requests to this
server, and to the OpenID provider when one is configured. `/assets/*` are the build's files, whose
names carry their content hash: cached for a year, immutable.

Compressed at build time: the build writes a Brotli and a gzip copy beside each file
(frontend/scripts/precompress.mjs), and aiohttp's FileResponse sends the copy the client accepts, with
Content-Encoding; every answer says `Vary: Accept-Encoding`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from settings import Settings
from web.app_keys import SETTINGS

IMMUTABLE = "public, max-age=31536000, immutable"
ASSET_HEADERS = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
NOT_BUILT = (
    "The Tools page is not built: run `make run` (it builds it), or `npm run build --prefix frontend`."
)
# Paths that belong to the API, not to the page: an unknown one is a 404, not the app.
API_PREFIXES = ("/graphql", "/graphiql", "/auth/", "/export/", "/metrics", "/healthz", "/readyz")


def content_security_policy(settings: Settings) -> str:
    """Nothing from elsewhere, except the identity provider the page signs in with."""
    provider = _origin(settings.oidc_issuer) if settings.oidc_issuer else ""
    connect = f"'self' {provider}".strip()
    frames = provider or "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src {connect}; frame-src {frames}; manifest-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


async def index(request: web.Request) -> web.StreamResponse:
    """The app's page, for `/` and for any route the app handles in the browser."""
    # The API's own paths, and anything that names a file (a route of the app never does), are not pages.
    if request.path.startswith(API_PREFIXES) or "." in request.path.rsplit("/", 1)[-1]:
        raise web.HTTPNotFound()
    settings = request.app[SETTINGS]
    page = settings.frontend_dist / "index.html"
    if not page.is_file():
        return web.Response(status=503, text=NOT_BUILT, headers={"Cache-Control": "no-store"})
    return web.FileResponse(
        page,
        headers={
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
            "Content-Type": "text/html; charset=utf-8",
            **security_headers(settings),
        },
    )


async def asset(request: web.Request) -> web.StreamResponse:
    """A file of the build's assets/ directory; nothing outside it."""
    assets = request.app[SETTINGS].frontend_dist / "assets"
    path = _inside(assets, request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers=ASSET_HEADERS)


def _inside(directory: Path, name: str) -> Path | None:
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = directory / name
    return path if path.is_file() else None


def add_routes(app: web.Application) -> None:
    """After every other route: the catch-all answers the app's own routes."""
    app.router.add_get("/assets/{name}", asset)
    app.router.add_get("/", index)
    app.router.add_get("/{route:.*}", index)
