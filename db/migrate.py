"""Applies the SQL files in db/migrations in order, once each, recorded with a checksum.

Each file runs in its own transaction. An advisory lock serialises concurrent migrators (two server
instances starting at once); an applied file that changed or disappeared stops start-up, because the
database no longer matches the code that reads it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from db.pool import Connection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# An arbitrary, fixed 64-bit number naming this application's migration lock.
ADVISORY_LOCK_ID = 7_413_020_001


class MigrationError(RuntimeError):
    """The database's migration history disagrees with the files; the message says how to proceed."""


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return [Migration(path.name, path.read_text()) for path in sorted(directory.glob("*.sql"))]


async def migrate(conn: Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; return the names applied by this call."""
    migrations = load_migrations(directory)
    await conn.execute("select pg_advisory_lock($1)", ADVISORY_LOCK_ID)
    try:
        await conn.execute(
            """
            create table if not exists schema_migrations (
                name        text primary key,
                checksum    text not null,
                applied_at  timestamptz not null default now()
            )
            """
        )
        applied = {
            row["name"]: row["checksum"]
            for row in await conn.fetch("select name, checksum from schema_migrations")
        }
        _check_history(migrations, applied)
        newly_applied = []
        for migration in migrations:
            if migration.name in applied:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "insert into schema_migrations (name, checksum) values ($1, $2)",
                    migration.name,
                    migration.checksum,
                )
            log.info("applied migration %s", migration.name)
            newly_applied.append(migration.name)
        return newly_applied
    finally:
        await conn.execute("select pg_advisory_unlock($1)", ADVISORY_LOCK_ID)


def _check_history(migrations: list[Migration], applied: dict[str, str]) -> None:
    by_name = {m.name: m for m in migrations}
    for name, checksum in sorted(applied.items()):
        migration = by_name.get(name)
        if migration is None:
            raise MigrationError(
                f"migration {name} is recorded as applied but its file is missing from "
                f"{MIGRATIONS_DIR}; restore the file (applied migrations are never removed)"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {name} changed after it was applied (checksum {checksum[:12]} in the "
                f"database, {migration.checksum[:12]} on disk); revert the edit and add a new "
                "migration instead"
            )
