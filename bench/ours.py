"""Our server as a production user runs it: `python server.py serve`, CARRIER_ADMIN_ENV=production.

Differences from a real deployment, each on purpose: rate limits far above what the load reaches
(a refused request would measure the limiter, not the API), warnings-only logging (one log line per
request would measure the terminal), and tokens signed by the benchmark's own key (bench/credentials).
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import processes
from bench.credentials import IdentityProvider
from bench.processes import Server
from settings import PROJECT_ROOT

START_TIMEOUT_SECONDS = 60.0
UNLIMITED = str(1_000_000_000)
STATEMENTS_METRIC = "carrier_admin_sql_statements_per_request"
# Production serves /metrics on the public port only with a token, as a deployment would set one.
METRICS_TOKEN = secrets.token_urlsafe(24)


def environment(database_url: str, port: int, identity: IdentityProvider) -> dict[str, str]:
    """Only what a deployment sets: the benchmark's own environment (e.g. DATABASE_URL) is not passed on."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "CARRIER_ADMIN_ENV": "production",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "RATE_LIMIT_PER_KEY": UNLIMITED,
        "RATE_LIMIT_PER_PERSON": UNLIMITED,
        "RATE_LIMIT_PER_ADDRESS": UNLIMITED,
        "RATE_LIMIT_FAILED_AUTH_PER_ADDRESS": UNLIMITED,
        "JWT_JWKS_PATH": str(identity.jwks_path),
        "JWT_ISSUER": identity.issuer,
        "JWT_AUDIENCE": identity.audience,
        "METRICS_TOKEN": METRICS_TOKEN,
    }


def start(database_url: str, identity: IdentityProvider, *, core: int | None, log_dir: Path) -> Server:
    port = processes.free_port()
    # The interpreter running the benchmark: the project's virtual environment.
    command = processes.pinned([sys.executable, str(PROJECT_ROOT / "server.py"), "serve"], core)
    server = processes.start(
        "ours",
        command,
        env=environment(database_url, port, identity),
        cwd=PROJECT_ROOT,
        port=port,
        log_dir=log_dir,
    )
    try:
        processes.wait_until_ready(
            server, lambda: processes.request(port, "GET", "/readyz")[0] == 200, START_TIMEOUT_SECONDS
        )
    except RuntimeError:
        processes.stop(server)
        raise
    return server


@dataclass(frozen=True, slots=True)
class StatementTotals:
    """The server's running totals of the statements-per-request histogram."""

    statements: float
    requests: float


def statement_totals(server: Server) -> StatementTotals:
    status, body = processes.request(
        server.port, "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    values: dict[str, float] = {}
    for line in body.decode().splitlines():
        # Lines look like `carrier_admin_sql_statements_per_request_sum 123.0` (no labels on this one).
        name, _, value = line.partition(" ")
        if name in (f"{STATEMENTS_METRIC}_sum", f"{STATEMENTS_METRIC}_count"):
            values[name] = float(value)
    if len(values) != 2:
        raise RuntimeError(f"/metrics has no {STATEMENTS_METRIC} histogram")
    return StatementTotals(values[f"{STATEMENTS_METRIC}_sum"], values[f"{STATEMENTS_METRIC}_count"])
