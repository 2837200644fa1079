"""What every request carries through the web layer: its id (for the logs and the client), its
SQL statement counter, and the context of the operation it runs."""

from __future__ import annotations

import re
from random import getrandbits

from aiohttp import web

from context import Context
from db.pool import StatementCounter

REQUEST_ID = web.RequestKey("request_id", str)
# One counter for the whole request, authentication included (an API key lookup is a statement too).
STATEMENTS = web.RequestKey("statements", StatementCounter)
# The resolvers' context of a request that runs an operation (released once it is answered).
CONTEXT = web.RequestKey("context", Context)
REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(request: web.Request) -> str:
    """The caller's X-Request-Id when it is a plausible id (for correlation), else a new one."""
    given = request.headers.get("X-Request-Id", "")
    return given if REQUEST_ID_FORMAT.fullmatch(given) else new_request_id()


def new_request_id() -> str:
    """32 random hex digits, as a UUID's: an id to quote, not a secret, so not from the system's
    entropy (`uuid4` asks the kernel for it, a system call on every request)."""
    return f"{getrandbits(128):032x}"
