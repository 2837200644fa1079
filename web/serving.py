"""Serving the application: the listener, what a connection may cost, and a graceful stop.

aiohttp's own `run_app` leaves three holes that a client on the internet can use:
- a malformed request (a header over the size limit) is answered with, and logged at ERROR with, what
  the client sent: a padded `Authorization: Bearer cak_…` put the key in the log and in the 400 body;
- a connection that never finishes its headers stays open for an hour (aiohttp's keep-alive default);
- nothing caps how many connections are open at once.

So the listener here makes its connections with `GuardedRequestHandler`: bad requests get a status and
a fixed sentence, and the log records only the status and the class of error; a connection must
complete a request's headers within HTTP_HEADER_TIMEOUT_SECONDS of opening, or of its previous
response, else it is closed (aiohttp's keep-alive timer, which runs from the connection's start and
while waiting for each request); past MAX_CONNECTIONS a new connection is told 503 and closed.

SIGTERM or SIGINT: stop accepting; close every WebSocket (1001) and end every export stream at once;
let in-flight requests finish; then run the application's cleanups (the last-use flush, the change
feed, the pool). The whole stop takes at most SHUTDOWN_TIMEOUT_SECONDS, shared out as SHUTDOWN_SHARES
says; past it the process exits anyway.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, cast

from aiohttp import web
from aiohttp.web_request import BaseRequest

from settings import Settings
from web import metrics_endpoint

log = logging.getLogger("carrier_admin.http")

TOO_MANY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    b"Retry-After: 1\r\nContent-Length: 37\r\n\r\nToo many connections; retry shortly.\n"
)


REFUSED_LINGER_SECONDS = 1.0

# Shares of SHUTDOWN_TIMEOUT_SECONDS: closing WebSockets and ending streams; in-flight requests (aiohttp
# waits this long for them, then as long again for the cancelled ones); borrowed pool connections.
SHUTDOWN_SHARES = {"long_lived": 0.1, "in_flight": 0.35, "pool": 0.1}


class ConnectionGuard:
    """How many connections are open; whether one more may be."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self.refused = 0

    def admit(self) -> bool:
        if self.open >= self.limit:
            self.refused += 1
            return False
        self.open += 1
        return True

    def release(self) -> None:
        self.open -= 1


class GuardedRequestHandler(web.RequestHandler):
    """aiohttp's connection handler, minus echoing or logging what a client sent, within a cap."""

    def __init__(self, manager: web.Server, *, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.guard = guard
        self.admitted = False
        self.closing: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.guard.admit():
            self._refuse(transport)
            return
        self.admitted = True
        super().connection_made(transport)

    def _refuse(self, transport: asyncio.BaseTransport) -> None:
        """503, then close once the client has had a moment to read it. Closing at once, with the
        client's request unread, would make the kernel reset the connection and lose the answer."""
        transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's
        transport.write(TOO_MANY)
        if transport.can_write_eof():
            transport.write_eof()
        self.closing = asyncio.get_running_loop().call_later(REFUSED_LINGER_SECONDS, transport.close)

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self.admitted:
            if self.closing is not None:
                self.closing.cancel()
            return
        self.admitted = False
        self.guard.release()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.admitted:
            super().data_received(data)

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A status and a fixed sentence: never the message, which may quote what the client sent."""
        log.info("malformed or failed HTTP request: %s (%s)", status, type(exc).__name__ if exc else "-")
        if request.writer.output_size > 0:
            raise ConnectionError("the response was already started; the connection is closed")
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        response = web.Response(status=status, text=f"{status} {phrase}\n", content_type="text/plain")
        response.force_close()
        return response

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        """aiohttp logs protocol errors with the exception, whose text may quote the request: not that."""
        error = kwargs.get("exc_info")
        kind = type(error).__name__ if isinstance(error, BaseException) else "error"
        log.warning("HTTP connection error (%s)", kind)


class GuardedSite(web.BaseSite):
    """A TCP listener whose connections are GuardedRequestHandlers."""

    def __init__(
        self,
        runner: web.AppRunner,
        host: str,
        port: int,
        factory: Callable[[], asyncio.Protocol],
        *,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, backlog=backlog)
        self.host = host
        self.port = port
        self.factory = factory
        self.backlog = backlog
        self.listener: asyncio.AbstractServer | None = None

    @property
    def name(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self.listener = await loop.create_server(
            self.factory, self.host, self.port, backlog=self.backlog, reuse_address=True
        )

    async def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
        await super().stop()


def handler_settings(settings: Settings) -> dict[str, Any]:
    """What every connection's handler is made with."""
    return {
        # aiohttp's keep-alive timer runs from a connection's start and while it waits for each request:
        # the time a client has to send a complete request's headers.
        "keepalive_timeout": settings.http_header_timeout_seconds,
        "access_log": None,
        "logger": log,
        "max_line_size": 8190,
        "max_field_size": 8190,
    }


async def serve(app: web.Application, settings: Settings) -> None:
    """Serve `app` until SIGTERM or SIGINT, then stop gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    budget = settings.shutdown_timeout_seconds
    runner = web.AppRunner(app, shutdown_timeout=budget * SHUTDOWN_SHARES["in_flight"], access_log=None)
    await runner.setup()
    metrics_runner = None
    try:
        server = runner.server
        assert server is not None
        guard = ConnectionGuard(settings.max_connections)
        arguments = handler_settings(settings)

        def factory() -> asyncio.Protocol:
            return GuardedRequestHandler(server, guard=guard, loop=loop, **arguments)

        await GuardedSite(runner, settings.host, settings.port, factory).start()
        if settings.metrics_port is not None:
            metrics_runner = web.AppRunner(metrics_endpoint.internal_app(app), access_log=None)
            await metrics_runner.setup()
            await web.TCPSite(metrics_runner, settings.metrics_host, settings.metrics_port).start()
        log.info("serving on %s:%s", settings.host, settings.port)
        await stop.wait()
    finally:
        log.info("stopping (within %g s)", budget)
        try:
            async with asyncio.timeout(budget):
                if metrics_runner is not None:
                    await metrics_runner.cleanup()
                await runner.cleanup()
        except TimeoutError:
            log.warning("the stop took longer than SHUTDOWN_TIMEOUT_SECONDS (%g s): exiting anyway", budget)
