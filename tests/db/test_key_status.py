"""A key's status as of a moment (db/api_keys.ApiKeyRow.status), read from real records: revoked from its
revocation on (inclusive), else expired from its expiry on (inclusive), else active. Drawn around the
boundaries: each end missing, a microsecond before, at, or after the moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from db.api_keys import ApiKeyRow, KeyStatus
from db.pool import Connection
from tests.drawn import drawn

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
OFFSETS = st.one_of(
    st.none(),
    st.sampled_from([-1, 0, 1]).map(lambda us: timedelta(microseconds=us)),
    st.integers(-(10**9), 10**9).map(lambda s: timedelta(seconds=s)),
)
ENDS = drawn(st.tuples(OFFSETS, OFFSETS), 60)


def expected(revoked_at: datetime | None, expires_at: datetime | None) -> KeyStatus:
    if revoked_at is not None and revoked_at <= NOW:
        return KeyStatus.REVOKED
    if expires_at is not None and expires_at <= NOW:
        return KeyStatus.EXPIRED
    return KeyStatus.ACTIVE


async def test_a_key_s_status_follows_its_revocation_then_its_expiry(conn: Connection) -> None:
    for revoked, expires in ENDS:
        revoked_at = None if revoked is None else NOW + revoked
        expires_at = None if expires is None else NOW + expires
        record = await conn.fetchrow(
            "select $1::timestamptz as revoked_at, $2::timestamptz as expires_at",
            revoked_at,
            expires_at,
            record_class=ApiKeyRow,
        )
        assert record is not None
        assert record.status(NOW) is expected(revoked_at, expires_at), (revoked, expires)
