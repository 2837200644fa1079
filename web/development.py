"""Development conveniences (the development sign-in, GraphiQL's ready-made staff token) answer only a
browser that is on the developer's own machine.

Any web page a developer visits can make their browser send requests to a host name of its own that it
then points at 127.0.0.1 (DNS rebinding), and can post a `text/plain` body without asking first. So a
convenience answers only when the request names a loopback host (localhost, 127.0.0.0/8, [::1], or the
address the server was told to listen on), and a token is handed out only for a JSON request from the
page's own origin: a cross-site page cannot send `application/json` without a preflight, which this
server's CORS refuses.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from settings import Settings
from web.responses import JSON

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def serves_conveniences(request: web.Request, settings: Settings) -> bool:
    """Whether this request may use the development sign-in (and see GraphiQL's token)."""
    return settings.development_sign_in_allowed and _host_is_local(request, settings)


def is_same_origin_json(request: web.Request) -> bool:
    """A JSON body, from the page's own origin (a browser's cross-site request names another)."""
    if request.content_type.lower() != JSON:
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == f"{request.scheme}://{request.host}"


def _host_is_local(request: web.Request, settings: Settings) -> bool:
    name = _host_name(request.host)
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or name == settings.host:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The Host header without its port: `[::1]:8080` → `::1`, `localhost:8080` → `localhost`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
