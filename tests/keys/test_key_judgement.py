"""What a verified key acts as (resolvers/key_verification.judge_key) is worked out once per key as read,
and always what its row says: a key read again after a change acts as the changed row, never as an
earlier read of it."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from access import keyformat
from access.principal import Principal, Scope, with_implied
from db import api_keys
from resolvers import key_verification
from resolvers.key_verification import ends_at, judge_key
from tests import factories
from tests.drawn import drawn

CARRIER_SCOPES = [scope.value for scope in Scope]
# Each step: the key's scopes and expiry (days ahead, or none) now, and whether it is read again from
# PostgreSQL before being judged.
STEPS = drawn(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(CARRIER_SCOPES), min_size=1),
            st.none() | st.integers(min_value=1, max_value=400),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    40,
)
ADDRESS = ipaddress.ip_address("127.0.0.1")


def acting_as(principal: Principal | Any) -> tuple[str | None, frozenset[Scope]]:
    assert isinstance(principal, Principal), principal
    return principal.id, principal.scopes


async def test_a_key_acts_as_its_row_says_however_often_it_is_read_and_changed(conn: Any) -> None:
    carrier = await factories.carrier(conn, factories.unique_code("JDG"))
    key_id, secret = await factories.api_key(conn, carrier)
    secret_hash = keyformat.hash_secret(secret)

    async def read() -> api_keys.VerifiedKey:
        found = await api_keys.by_secret_hash(conn, secret_hash=secret_hash, access_feature="x.y")
        assert found is not None
        return found

    found = await read()
    for steps in STEPS:
        for scopes, days, read_again in steps:
            # given: the key's scopes and expiry changed; read again (a new row), or the read before
            await conn.execute(
                "update api_keys set scopes = $2, expires_at = now() + make_interval(days => $3)"
                " where id = $1",
                key_id,
                sorted(scopes),
                days,
            )
            if read_again:
                found = await read()
            # when: it is judged, twice
            first = judge_key(found, ADDRESS, datetime.now(UTC), "x.y")
            second = judge_key(found, ADDRESS, datetime.now(UTC), "x.y")
            # then: as the row it was judged from says, the same principal each time
            expected = with_implied(frozenset(Scope(s) for s in found.row.scopes))
            assert acting_as(first) == (str(key_id), expected)
            assert second is first
            expires_at = found.row.expires_at
            assert ends_at(found) == (expires_at.timestamp() if expires_at is not None else None)


async def test_what_keys_act_as_is_kept_bounded(conn: Any) -> None:
    carrier = await factories.carrier(conn, factories.unique_code("JDB"))
    _, secret = await factories.api_key(conn, carrier)
    secret_hash = keyformat.hash_secret(secret)
    for _ in range(key_verification.ACTING_AS_SIZE + 10):
        found = await api_keys.by_secret_hash(conn, secret_hash=secret_hash, access_feature="x.y")
        assert found is not None
        judge_key(found, ADDRESS, datetime.now(UTC), "x.y")
        assert len(key_verification._ACTING_AS) <= key_verification.ACTING_AS_SIZE
