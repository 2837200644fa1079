"""How each API key is used and misused, without a database write per request.

Verification only notes in memory: the latest use of each key (when, from where), and refused uses
(revoked, expired, from outside the allowlist, missing a scope, API access off), counted per key, reason
and minute. A background task writes what is pending at most once per flush interval (a minute by
default), in one statement each; a final flush on shutdown keeps what is left. A key hammered by a
stale integration thus costs a row a minute, however many requests it sends.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from db import api_keys, key_refusals
from db.key_refusals import Refused
from db.pool import Database

log = logging.getLogger(__name__)


class RefusalReason:
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    ADDRESS_NOT_ALLOWED = "ADDRESS_NOT_ALLOWED"
    MISSING_SCOPE = "MISSING_SCOPE"
    API_ACCESS_DISABLED = "API_ACCESS_DISABLED"


@dataclass(slots=True)
class _Tally:
    first_at: datetime
    last_at: datetime
    refusals: int
    client_address: str | None
    detail: str | None


class KeyUsageRecorder:
    def __init__(self, database: Database, interval_seconds: float) -> None:
        self.database = database
        self.interval_seconds = interval_seconds
        self.pending: dict[uuid.UUID, tuple[datetime, str | None]] = {}
        self.refused: dict[tuple[uuid.UUID, datetime, str], _Tally] = {}

    def note_use(self, key_id: uuid.UUID, at: datetime, address: str | None) -> None:
        previous = self.pending.get(key_id)
        if previous is None or previous[0] <= at:
            self.pending[key_id] = (at, address)

    def note_refusal(
        self, key_id: uuid.UUID, reason: str, at: datetime, address: str | None, detail: str | None = None
    ) -> None:
        minute = at.replace(second=0, microsecond=0)
        tally = self.refused.get((key_id, minute, reason))
        if tally is None:
            self.refused[(key_id, minute, reason)] = _Tally(at, at, 1, address, detail)
            return
        tally.refusals += 1
        if at >= tally.last_at:
            tally.last_at, tally.client_address = at, address
        tally.first_at = min(tally.first_at, at)

    async def flush(self) -> int:
        """Write what is pending; return how many rows were written."""
        uses, self.pending = self.pending, {}
        refused, self.refused = self.refused, {}
        if not uses and not refused:
            return 0
        rows = [
            Refused(key_id, minute, reason, t.first_at, t.last_at, t.refusals, t.client_address, t.detail)
            for (key_id, minute, reason), t in refused.items()
        ]
        try:
            async with self.database.acquire() as conn, conn.transaction():
                await api_keys.touch_last_used(conn, [(k, at, address) for k, (at, address) in uses.items()])
                await key_refusals.add(conn, rows)
        except Exception:
            # Keep them for the next flush rather than lose them to a passing database outage.
            for key_id, (at, address) in uses.items():
                self.note_use(key_id, at, address)
            for row in rows:
                self._merge(row)
            raise
        return len(uses) + len(rows)

    def _merge(self, row: Refused) -> None:
        tally = self.refused.get((row.key_id, row.minute, row.reason))
        if tally is None:
            self.refused[(row.key_id, row.minute, row.reason)] = _Tally(
                row.first_at, row.last_at, row.refusals, row.client_address, row.detail
            )
        else:
            tally.refusals += row.refusals
            tally.first_at = min(tally.first_at, row.first_at)
            tally.last_at = max(tally.last_at, row.last_at)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_seconds)
            try:
                await self.flush()
            except Exception:
                log.warning("could not record API key use; will retry", exc_info=True)

    async def running(self) -> AsyncIterator[None]:
        """For aiohttp's cleanup_ctx: flush periodically while the app runs, and once more at shutdown."""
        task = asyncio.create_task(self.run(), name="api-key-usage")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            try:
                await self.flush()
            except Exception:
                log.exception("could not record API key use at shutdown")
