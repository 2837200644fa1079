"""Refused uses of a key are recorded for whoever can see the key: revoked, expired, from outside the
allowlist, missing a scope, API access off. Throttled: one row per key, reason and minute, with a count,
however many requests; generated sequences of refusals add up exactly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from db.pool import Connection
from services.key_usage import KeyUsageRecorder, RefusalReason
from tests import factories
from tests.conftest import ClientFactory, TransactionDatabase
from tests.drawn import drawn
from tests.keys import Clock, admin, key_gid, new_carrier, post, viewer_status
from web.app_keys import KEY_USAGE

REFUSALS = """query ($id: ID!) { apiKey(id: $id) {
  lastRefusal { reason count }
  refusals(first: 20) { reason count firstAt lastAt clientAddress detail }
} }"""
NOW = datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC)


def recorder(client: TestClient[Any, Any]) -> KeyUsageRecorder:
    assert isinstance(client.server, TestServer)
    return client.server.app[KEY_USAGE]


async def refusals_of(client: TestClient[Any, Any], key_id: uuid.UUID, headers: dict[str, str]) -> Any:
    reply = await post(client, REFUSALS, {"id": key_gid(key_id)}, headers)
    assert "data" in reply.body, reply.body
    return reply.body["data"]["apiKey"]


PAST = datetime.now(UTC) - timedelta(days=1)
REFUSED_KEYS: dict[str, dict[str, Any]] = {
    "REVOKED": {"revoked": True},
    "EXPIRED": {"expires_at": PAST, "created_at": PAST - timedelta(days=10)},
    "ADDRESS_NOT_ALLOWED": {"allowlist": ["192.0.2.0/24"]},
}


@pytest.mark.parametrize("reason", list(REFUSED_KEYS))
async def test_each_refused_use_is_counted_once_a_minute(
    make_client: ClientFactory, conn: Connection, reason: str
) -> None:
    # given: a key that will be refused, used five times within a minute (the app's clock stands
    # still just after the key was made: by the wall's, the five could straddle two minutes)
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id, **REFUSED_KEYS[reason])
    client = await make_client(now=Clock(await conn.fetchval("select now() + interval '1 second'")))
    for _ in range(5):
        assert (await viewer_status(client, secret)).status in (401, 403)

    # when: the usage is written
    await recorder(client).flush()

    # then: one entry with the count, for whoever sees the key; nothing for another carrier's admin
    seen = await refusals_of(client, key_id, admin(carrier.code))
    assert seen["lastRefusal"] == {"reason": reason, "count": 5}
    assert [(r["reason"], r["count"], r["clientAddress"]) for r in seen["refusals"]] == [
        (reason, 5, "127.0.0.1")
    ]
    other = await new_carrier(conn)
    assert await refusals_of(client, key_id, admin(other.code)) is None


async def test_a_missing_scope_is_a_refused_use_naming_the_field(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    key_id, secret = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))
    query = f'{{ carrier(code: "{carrier.code}") {{ code apiKeys {{ totalCount }} }} }}'
    reply = await post(client, query, headers=factories.bearer(secret))
    assert reply.body["errors"][0]["extensions"]["requiredScope"] == "KEYS_READ"

    await recorder(client).flush()

    (refusal,) = (await refusals_of(client, key_id, admin(carrier.code, at=NOW)))["refusals"]
    assert (refusal["reason"], refusal["detail"]) == ("MISSING_SCOPE", "Carrier.apiKeys")


async def test_a_key_of_a_carrier_whose_api_access_is_off_is_refused_and_recorded(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: API access is off for the carrier (its own setting)
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    feature = await factories.feature(conn, "integrations.api_access", default=True)
    key_id, secret = await factories.api_key(conn, carrier.id)
    await factories.set_carrier_enablement(conn, carrier.id, feature, False)

    # when / then: refused, naming the feature; and turned back on, it works again
    refused = await viewer_status(client, secret)
    assert refused.status == 403
    assert "integrations.api_access" in refused.body["errors"][0]["message"]
    await factories.set_carrier_enablement(conn, carrier.id, feature, True)
    assert (await viewer_status(client, secret)).status == 200
    await recorder(client).flush()
    (refusal,) = (await refusals_of(client, key_id, admin(carrier.code, at=NOW)))["refusals"]
    assert refusal["reason"] == "API_ACCESS_DISABLED"


EVENTS = st.lists(
    st.tuples(
        st.sampled_from([RefusalReason.REVOKED, RefusalReason.EXPIRED, RefusalReason.MISSING_SCOPE]),
        st.integers(min_value=0, max_value=179),  # seconds after NOW: three minutes
    ),
    min_size=1,
    max_size=40,
)


async def test_generated_refusals_add_up_to_one_row_per_minute_and_reason(conn: Connection) -> None:
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    for events in drawn(EVENTS, 25):
        savepoint = conn.transaction()
        await savepoint.start()
        try:
            # two recorders: two server instances writing to the same rows
            recorders = [KeyUsageRecorder(TransactionDatabase(conn), 60) for _ in range(2)]
            for index, (reason, second) in enumerate(events):
                at = NOW + timedelta(seconds=second)
                recorders[index % 2].note_refusal(key_id, reason, at, "203.0.113.9")
            for each in recorders:
                await each.flush()
            rows = await conn.fetch(
                "select minute, reason, refusals, first_at, last_at from api_key_refusals where key_id = $1",
                key_id,
            )
            expected: dict[tuple[datetime, str], list[datetime]] = {}
            for reason, second in events:
                at = NOW + timedelta(seconds=second)
                expected.setdefault((at.replace(second=0, microsecond=0), reason), []).append(at)
            assert {(r["minute"], r["reason"]): r["refusals"] for r in rows} == {
                key: len(times) for key, times in expected.items()
            }
            assert {(r["minute"], r["reason"]): (r["first_at"], r["last_at"]) for r in rows} == {
                key: (min(times), max(times)) for key, times in expected.items()
            }
        finally:
            await savepoint.rollback()
