"""The embedded default: a private PostgreSQL from the `pgserver` wheel, for a laptop with none.

Used only when DATABASE_URL is not set. The data directory is kept across restarts; the server process
is stopped when the last Python process that started it exits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def start(pgdata: Path, database: str = "postgres") -> tuple[str, Any]:
    """Start (or join) the embedded server in `pgdata`; return its URL and the handle that keeps it up."""
    from pgserver.postgres_server import get_server

    pgdata.mkdir(parents=True, exist_ok=True)
    log.info("starting embedded PostgreSQL in %s", pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    return str(server.get_uri(database)), server


def stop(handle: Any) -> None:
    handle.cleanup()
