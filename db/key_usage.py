"""When and from where each API key was last used, without a database write per request.

Verification only notes the use in memory; a background task writes the latest use of each key at
most once per flush interval (a minute by default) in one statement, and a final flush on shutdown
keeps the latest value.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from db import api_keys
from db.pool import Database

log = logging.getLogger(__name__)


class LastUseRecorder:
    def __init__(self, database: Database, interval_seconds: float) -> None:
        self.database = database
        self.interval_seconds = interval_seconds
        self.pending: dict[uuid.UUID, tuple[datetime, str | None]] = {}

    def note(self, key_id: uuid.UUID, at: datetime, address: str | None) -> None:
        previous = self.pending.get(key_id)
        if previous is None or previous[0] <= at:
            self.pending[key_id] = (at, address)

    async def flush(self) -> int:
        """Write what is pending; return how many keys were written."""
        if not self.pending:
            return 0
        batch, self.pending = self.pending, {}
        uses = [(key_id, at, address) for key_id, (at, address) in batch.items()]
        try:
            async with self.database.acquire() as conn:
                await api_keys.touch_last_used(conn, uses)
        except Exception:
            # Keep the uses for the next flush rather than lose them to a passing database outage.
            for key_id, at, address in uses:
                self.note(key_id, at, address)
            raise
        return len(uses)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_seconds)
            try:
                await self.flush()
            except Exception:
                log.warning("could not record API key last use; will retry", exc_info=True)

    async def running(self) -> AsyncIterator[None]:
        """For aiohttp's cleanup_ctx: flush periodically while the app runs, and once more at shutdown."""
        task = asyncio.create_task(self.run(), name="api-key-last-use")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            try:
                await self.flush()
            except Exception:
                log.exception("could not record API key last use at shutdown")
