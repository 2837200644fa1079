"""A key's usage over a period: every bucket (hour or UTC day) from `since` to `until`, empty ones too,
with its counts by outcome, so a chart draws what it gets and a table lists the same numbers."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from context import Context
from db.key_usage import Interval, UsageRow
from resolvers import filters
from resolvers.errors import BadUserInput

SERVED = "SERVED"
STEPS: dict[Interval, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
# A period's buckets at most: 31 days by the hour, more than a year by the day.
MAX_BUCKETS = 31 * 24


@dataclass(frozen=True, slots=True)
class UsageBucket:
    start: datetime
    # Non-zero counts by outcome (SERVED, or a reason the request was refused), in a stable order.
    counts: tuple[tuple[str, int], ...]

    @property
    def served(self) -> int:
        return sum(n for outcome, n in self.counts if outcome == SERVED)

    @property
    def refused(self) -> int:
        return sum(n for outcome, n in self.counts if outcome != SERVED)


def bucket_start(at: datetime, interval: Interval) -> datetime:
    at = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0) if interval == "day" else at


async def usage_of(
    context: Context, key_id: uuid.UUID, since: datetime, until: datetime | None, interval: Interval
) -> list[UsageBucket]:
    """The key's buckets from the one holding `since` to the one holding `until` (default: now);
    empty for a key out of the caller's reach (the key itself is then not found)."""
    # In UTC: refused without a zone, or where the zone moves the time outside the calendar.
    first = bucket_start(filters.instant(since, "since"), interval)
    last = filters.instant(until, "until") or context.now()
    try:
        end = bucket_start(last, interval) + STEPS[interval]
    except OverflowError:
        raise BadUserInput("`until` is in the last bucket of the year 9999.", argument="until") from None
    if end <= first:
        raise BadUserInput("`until` must be after `since`.", argument="until")
    step = STEPS[interval]
    if (end - first) / step > MAX_BUCKETS:
        raise BadUserInput(
            f"At most {MAX_BUCKETS} buckets: shorten the period or ask by the day.",
            argument="since",
            limit=MAX_BUCKETS,
        )
    rows: list[UsageRow] = await context.loaders.usage_by_key_id.load((key_id, first, end, interval))
    by_start: dict[datetime, Counter[str]] = {}
    for row in rows:
        by_start.setdefault(row.start, Counter())[row.outcome] += row.uses
    buckets = []
    start = first
    while start < end:
        counts = by_start.get(start, Counter())
        buckets.append(UsageBucket(start, tuple(sorted(counts.items()))))
        start += step
    return buckets
