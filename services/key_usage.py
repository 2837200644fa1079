"""How each API key is used and misused, without a database write per request.

Verification only notes in memory: the latest use of each key (when, from where); refused uses
(revoked, expired, from outside the allowlist, missing a scope, API access off), counted per key, reason
and minute; and every request a key makes, counted per key, hour and outcome (served, or refused and
why) for its usage chart. A background task writes what is pending at most once per flush interval (a
minute by default), in one statement whatever the number of keys, which also announces on the change
feed each carrier whose keys it counted (apiKeyUsageChanged); a final flush on shutdown keeps what
is left, so a crash loses at most the last interval. A key hammered by a stale integration thus costs a
row a minute, however many requests it sends. The same task deletes counts older than the retention.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from db import key_usage
from db.key_refusals import Refused
from db.key_usage import Counted
from db.pool import Database

log = logging.getLogger(__name__)


class RefusalReason:
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    ADDRESS_NOT_ALLOWED = "ADDRESS_NOT_ALLOWED"
    MISSING_SCOPE = "MISSING_SCOPE"
    API_ACCESS_DISABLED = "API_ACCESS_DISABLED"


class Outcome:
    """What became of one request with a key, as its usage counts it: exactly one per request."""

    SERVED = "SERVED"  # admitted and run (fields its scopes do not cover come back refused, one by one)
    REVOKED = RefusalReason.REVOKED
    EXPIRED = RefusalReason.EXPIRED
    ADDRESS_NOT_ALLOWED = RefusalReason.ADDRESS_NOT_ALLOWED
    API_ACCESS_DISABLED = RefusalReason.API_ACCESS_DISABLED
    RATE_LIMITED = "RATE_LIMITED"


# Refusals at the door end the request: each is the request's outcome. A missing scope is per field of
# a request that is served, so it is a refusal on record but not an outcome of its own.
_REQUEST_OUTCOMES = frozenset(
    {Outcome.REVOKED, Outcome.EXPIRED, Outcome.ADDRESS_NOT_ALLOWED, Outcome.API_ACCESS_DISABLED}
)
# Pruning needs no more than an hour's precision: buckets are hours.
PRUNE_EVERY_SECONDS = 3600.0
# How often the final flush at shutdown is tried before what is pending is given up (and logged).
SHUTDOWN_FLUSH_ATTEMPTS = 3
HOUR = timedelta(hours=1)


@dataclass(slots=True)
class _Tally:
    first_at: datetime
    last_at: datetime
    refusals: int
    client_address: str | None
    detail: str | None


class KeyUsageRecorder:
    def __init__(
        self,
        database: Database,
        interval_seconds: float,
        retention_days: int = 90,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.database = database
        self.interval_seconds = interval_seconds
        self.retention = timedelta(days=retention_days)
        self.now = now or (lambda: datetime.now(UTC))
        self.pending: dict[uuid.UUID, tuple[datetime, str | None]] = {}
        self.refused: dict[tuple[uuid.UUID, datetime, str], _Tally] = {}
        self.counts: dict[tuple[uuid.UUID, datetime, str], int] = {}
        self._hour = self._hour_end = datetime.min.replace(tzinfo=UTC)
        # Set at shutdown: the periodic loop ends after the flush in hand (never cancelled in the middle
        # of one, which would drop what it had taken out of memory).
        self.stopping = asyncio.Event()

    def note_use(self, key_id: uuid.UUID, at: datetime, address: str | None) -> None:
        """A request the key was admitted for: its last use, and one SERVED in its hour's count."""
        self.count(key_id, at, Outcome.SERVED)
        previous = self.pending.get(key_id)
        if previous is None or previous[0] <= at:
            self.pending[key_id] = (at, address)

    def count(self, key_id: uuid.UUID, at: datetime, outcome: str) -> None:
        """One request of the key with this outcome, in its hour: a dict increment on the request path."""
        # The current hour is remembered: nearly every request falls in it, and truncating a datetime
        # costs more than the increment itself.
        hour = self._hour
        if not hour <= at < self._hour_end:
            hour = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            self._hour, self._hour_end = hour, hour + HOUR
        key = (key_id, hour, outcome)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1

    def note_refusal(
        self, key_id: uuid.UUID, reason: str, at: datetime, address: str | None, detail: str | None = None
    ) -> None:
        if reason in _REQUEST_OUTCOMES:
            self.count(key_id, at, reason)
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
        """Write what is pending in one statement; return how many keys' last uses and refusal rows
        it wrote (the counts beside them are not rows a reader asked about)."""
        uses, self.pending = self.pending, {}
        refused, self.refused = self.refused, {}
        counts, self.counts = self.counts, {}
        if not uses and not refused and not counts:
            return 0
        rows = [
            Refused(
                key_id, reason, t.first_at, t.last_at, t.refusals, t.client_address, t.detail, minute=minute
            )
            for (key_id, minute, reason), t in refused.items()
        ]
        counted = [Counted(key_id, hour, outcome, n) for (key_id, hour, outcome), n in counts.items()]
        try:
            async with self.database.acquire() as conn:
                await key_usage.flush(
                    conn,
                    uses=[(k, at, address) for k, (at, address) in uses.items()],
                    refused=rows,
                    counted=counted,
                )
        except Exception:
            # Keep them for the next flush rather than lose them to a passing database outage.
            for key_id, (at, address) in uses.items():
                previous = self.pending.get(key_id)
                if previous is None or previous[0] <= at:
                    self.pending[key_id] = (at, address)
            for row in rows:
                self._merge(row)
            for key, n in counts.items():
                self.counts[key] = self.counts.get(key, 0) + n
            raise
        return len(uses) + len(rows)

    async def prune(self) -> int:
        """Delete counts older than the retention; return how many rows went."""
        async with self.database.acquire() as conn:
            return await key_usage.prune(conn, before=self.now() - self.retention)

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
        since_pruned = PRUNE_EVERY_SECONDS  # prune soon after start: an instance may live less than an hour
        while not await self._stopped_within(self.interval_seconds):
            try:
                await self.flush()
            except Exception:
                log.warning("could not record API key use; will retry", exc_info=True)
            since_pruned += self.interval_seconds
            if since_pruned >= PRUNE_EVERY_SECONDS:
                since_pruned = 0.0
                try:
                    await self.prune()
                except Exception:
                    log.warning("could not prune API key usage; will retry", exc_info=True)

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether shutdown began meanwhile."""
        try:
            async with asyncio.timeout(seconds):
                await self.stopping.wait()
        except TimeoutError:
            return False
        return True

    async def running(self) -> AsyncIterator[None]:
        """For aiohttp's cleanup_ctx: flush periodically while the app runs, and once more at shutdown."""
        task = asyncio.create_task(self.run(), name="api-key-usage")
        try:
            yield
        finally:
            # The loop ends after the flush in hand: a flush cancelled midway loses what it had taken
            # (or, its statement already committed, could not tell whether to keep it). A flush is
            # bounded by the pool's acquire and statement timeouts.
            self.stopping.set()
            await asyncio.gather(task, return_exceptions=True)
            await self.last_flush()

    async def last_flush(self) -> None:
        """At shutdown: what is pending is written, tried again a few times (a deadlock with another
        instance's flush, a pool busy with the last requests), since nothing comes after it."""
        for attempt in range(1, SHUTDOWN_FLUSH_ATTEMPTS + 1):
            try:
                await self.flush()  # a failed flush keeps what it could not write
                return
            except Exception:
                if attempt == SHUTDOWN_FLUSH_ATTEMPTS:
                    log.exception("could not record API key use at shutdown")
