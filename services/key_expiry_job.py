"""The periodic job that writes the expiry notices (db/key_expiry.py) and expires requests to Support
not decided in time (db/change_requests.py): every KEY_EXPIRY_CHECK_SECONDS, in every instance; the
database makes sure each notice is written once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from db import change_requests, key_expiry
from db.key_expiry import EXPIRING_SOON_DAYS, Notices
from db.pool import Database

log = logging.getLogger("carrier_admin.key_expiry")


class KeyExpiryJob:
    def __init__(self, database: Database, interval_seconds: float, now: Callable[[], datetime]) -> None:
        self.database = database
        self.interval_seconds = interval_seconds
        self.now = now

    async def run_once(self) -> Notices:
        async with self.database.acquire() as conn:
            notices = await key_expiry.write_notices(
                conn, now=self.now(), warn_within=timedelta(days=EXPIRING_SOON_DAYS)
            )
            expired_requests = await change_requests.expire(conn, now=self.now())
        if notices.expiring or notices.expired:
            log.info("key expiry notices: %s expiring, %s expired", notices.expiring, notices.expired)
        if expired_requests:
            log.info("change requests expired: %s", expired_requests)
        return notices

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.warning("could not write key expiry notices; will retry", exc_info=True)
            await asyncio.sleep(self.interval_seconds)

    async def running(self) -> AsyncIterator[None]:
        """For aiohttp's cleanup_ctx: run while the app runs."""
        task = asyncio.create_task(self.run(), name="key-expiry-notices")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
