"""PostgreSQL's share of the work: CPU time of the server processes serving the benchmark database.

A server that sends one large statement and one that sends many small ones shift work between
themselves and PostgreSQL; counting both sides keeps the comparison honest. Only possible when the
PostgreSQL server runs on this machine (its backends are then processes we can read in /proc).
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from bench import processes

BACKENDS = """
select pid from pg_stat_activity
where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
"""


def _is_postgres(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return command.startswith(b"postgres")


class Backends:
    """Reads the CPU time of the benchmark database's client backends (not of this monitor's own)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, database_url: str) -> Backends:
        return cls(await asyncpg.connect(database_url))

    async def close(self) -> None:
        await self.conn.close()

    async def cpu_seconds(self) -> dict[int, float] | None:
        """CPU seconds per backend pid; None when the backends are not processes of this machine."""
        pids = [r["pid"] for r in await self.conn.fetch(BACKENDS)]
        local = [pid for pid in pids if _is_postgres(pid)]
        if pids and not local:
            return None
        return processes.cpu_seconds_of(local)


def spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    """CPU seconds spent in between; a backend that started in between counts from zero."""
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
