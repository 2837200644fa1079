"""A carrier's keys ordered by use: requests served in the last 30 days (USES_LAST_30_DAYS), most used
first (DESC) or least (ASC), ties by id; against a reference written here over generated usage, paged in
both directions with keyset cursors on (uses, id), the pages joining up to the whole answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from db.api_keys import uses_since
from db.pool import Connection
from tests.drawn import drawn
from tests.keys import days, insert_key, new_carrier
from tests.keys.test_finding_keys import walk

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OUTCOMES = ["SERVED", "SERVED", "ADDRESS_NOT_ALLOWED", "RATE_LIMITED"]


@dataclass(frozen=True)
class Counted:
    hours_ago: int  # hours before NOW's hour; 720 and more lie outside the 30 days
    outcome: str
    uses: int


USAGE = st.lists(
    st.builds(
        Counted,
        hours_ago=st.sampled_from([0, 1, 5, 47, 300, 719, 720, 721, 1000]),
        outcome=st.sampled_from(OUTCOMES),
        uses=st.integers(min_value=1, max_value=4),
    ),
    max_size=4,
    unique_by=lambda c: (c.hours_ago, c.outcome),
)
CASES = st.tuples(
    st.lists(USAGE, min_size=0, max_size=10),
    st.sampled_from(["ASC", "DESC"]),
    st.integers(min_value=1, max_value=4),
    st.sampled_from([{}, {"status": "ACTIVE"}, {"search": "beta"}]),
)


def served_in_window(usage: list[Counted]) -> int:
    since = uses_since(NOW)
    hour = NOW.replace(minute=0, second=0, microsecond=0)
    return sum(
        c.uses for c in usage if c.outcome == "SERVED" and hour - timedelta(hours=c.hours_ago) >= since
    )


async def test_keys_by_use_agree_with_the_reference_across_pages(conn: Connection) -> None:
    failures = []
    for population, direction, size, question in drawn(CASES, 40):
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            carrier = await new_carrier(conn)
            keys: list[tuple[uuid.UUID, str, int]] = []
            for index, usage in enumerate(population):
                description = f"{('alpha', 'beta')[index % 2]} key {index}"
                key_id, _ = await insert_key(
                    conn,
                    carrier.id,
                    created_at=NOW - days(40),
                    expires_at=None,
                    revoked_at=NOW - days(1) if index % 3 == 0 else None,
                    description=description,
                )
                hour = NOW.replace(minute=0, second=0, microsecond=0)
                for c in usage:
                    await conn.execute(
                        "insert into api_key_usage (key_id, hour, outcome, uses) values ($1, $2, $3, $4)",
                        key_id,
                        hour - timedelta(hours=c.hours_ago),
                        c.outcome,
                        c.uses,
                    )
                keys.append((key_id, description, served_in_window(usage)))
            kept = [
                k
                for i, k in enumerate(keys)
                if ("status" not in question or i % 3 != 0) and ("search" not in question or "beta" in k[1])
            ]
            want = [
                description
                for _, description, _ in sorted(
                    kept, key=lambda k: (k[2], str(k[0])), reverse=direction == "DESC"
                )
            ]
            variables: dict[str, Any] = {
                "filter": question,
                "order": {"field": "USES_LAST_30_DAYS", "direction": direction},
            }
            forward, totals = await walk(conn, carrier.id, variables, size, backward=False)
            backward, _ = await walk(conn, carrier.id, variables, size, backward=True)
            if forward != want or backward != forward or totals != {len(want)}:
                failures.append((population, direction, size, question, want, forward, backward))
        finally:
            await savepoint.rollback()
    assert not failures, failures[:2]


async def test_the_window_starts_at_the_hour_30_days_ago() -> None:
    assert uses_since(datetime(2026, 6, 1, 12, 34, 56, tzinfo=UTC)) == datetime(2026, 5, 2, 12, tzinfo=UTC)
