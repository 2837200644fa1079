"""GraphiQL served by the API itself: the page, its settings, and its assets from a local install.

The third-party files (React, GraphiQL, the explorer plugin, graphql-ws) come from web/graphiql/node_modules,
installed at set-up from the npm registry with the integrity hashes of web/graphiql/package-lock.json;
none of them is committed. The page works with the network cut off and sends a strict
Content-Security-Policy: scripts and styles from this server only.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from aiohttp import web

from access.tokens import TokenSettings, mint_development_token
from settings import Settings

HERE = Path(__file__).resolve().parent / "graphiql"
MODULES = HERE / "node_modules"

# Every asset the page may load, by the name it is served under: nothing else is reachable.
ASSETS: dict[str, Path] = {
    "react.production.min.js": MODULES / "react/umd/react.production.min.js",
    "react-dom.production.min.js": MODULES / "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": MODULES / "graphiql/graphiql.min.js",
    "graphiql.min.css": MODULES / "graphiql/graphiql.min.css",
    "plugin-explorer.umd.js": MODULES / "@graphiql/plugin-explorer/dist/index.umd.js",
    "plugin-explorer.css": MODULES / "@graphiql/plugin-explorer/dist/style.css",
    # The WebSocket client subscriptions run on (graphql-transport-ws), its browser build.
    "graphql-ws.min.js": MODULES / "graphql-ws/umd/graphql-ws.min.js",
    "init.js": HERE / "init.js",
    "page.css": HERE / "page.css",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

EXAMPLE_QUERY = """# The graph partner tooling reads: organizations → carriers → enablements and API keys.
# Press ▶ to run; the documentation pane (top left) explains every type and field.
query NestedGraph {
  viewer { kind name canUseRestrictedFunctions }
  carriers(first: 5, attached: true) {
    totalCount
    nodes {
      code
      name
      organization { name }
      enablements { feature { key } state effective source }
      apiKeys(first: 5) { totalCount nodes { hint status scopes expiresAt } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

MISSING = (
    "GraphiQL's assets are not installed: run `make` (or `npm ci --ignore-scripts --prefix web/graphiql`)."
)


def page(settings: Settings, *, with_token: bool) -> web.Response:
    """GraphiQL; `with_token` (development, a loopback host: web/development.py) fills in a staff token."""
    if not all(path.exists() for path in ASSETS.values()):
        return web.Response(status=503, text=MISSING)
    headers = _development_headers(settings) if with_token else None
    config = {"endpoint": "/graphql", "query": EXAMPLE_QUERY, "headers": headers}
    # A JSON data block inside HTML: escape what could close the element.
    encoded = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = (HERE / "page.html").read_text().replace("{{CONFIG}}", encoded)
    return web.Response(
        text=text,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"},
    )


def _development_headers(settings: Settings) -> str | None:
    """In development, a staff token ready in the headers pane; in production, nothing."""
    if not settings.development_sign_in_allowed:
        return None
    token = mint_development_token(
        TokenSettings.from_settings(settings),
        subject="graphiql-developer",
        name="GraphiQL developer",
        staff=True,
    )
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)


async def asset(request: web.Request) -> web.StreamResponse:
    path = ASSETS.get(request.match_info["name"])
    if path is None or not path.exists():
        raise web.HTTPNotFound(text=html.escape(request.match_info["name"]))
    # Its compressed copies (written by `make` beside the installed files) go to clients that accept them.
    return web.FileResponse(
        path, headers={"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    )
