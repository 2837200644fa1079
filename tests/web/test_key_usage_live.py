"""Key usage, live: an instance's flush that counts uses of a carrier's keys announces it on the change
feed in the same statement, and `apiKeyUsageChanged` delivers it to subscribers of that carrier on any
instance, checked with each subscriber's rights; never to another tenant's."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from resolvers.global_ids import to_global_id
from services.key_usage import Outcome
from tests import factories
from tests.web.test_subscriptions import first_events, instance, watching, ws_client
from web.app_keys import KEY_USAGE

USAGE_CHANGED = """subscription ($c: ID!) {
  apiKeyUsageChanged(carrierId: $c) { carrier { id code } } }"""
USAGE = """query ($k: ID!, $s: DateTime!) {
  apiKey(id: $k) { usage(since: $s, interval: DAY) { served refused } } }"""


async def carrier_with_key(database_url: str) -> tuple[str, str, uuid.UUID]:
    conn = await asyncpg.connect(database_url)
    try:
        code = factories.unique_code("U")
        carrier = await factories.carrier(conn, code)
        key, _ = await factories.api_key(conn, carrier)
    finally:
        await conn.close()
    return to_global_id("Carrier", carrier), code, key


async def used(client: TestClient[Any, Any], key: uuid.UUID, served: int, refused: int = 0) -> None:
    """`client`'s instance counts uses of `key` and flushes them, as its minute's flush would."""
    recorder = client.app[KEY_USAGE]
    now = datetime.now(UTC)
    for _ in range(served):
        recorder.count(key, now, Outcome.SERVED)
    for _ in range(refused):
        recorder.count(key, now, Outcome.ADDRESS_NOT_ALLOWED)
    await recorder.flush()


async def test_a_flush_on_one_instance_reaches_the_carriers_subscribers_on_the_other(
    own_database: str,
) -> None:
    carrier, code, key = await carrier_with_key(own_database)
    admin = factories.admin_token(carriers=[code])
    async with instance(own_database) as a, instance(own_database) as b:
        async with ws_client(b, admin) as session:
            reading = asyncio.create_task(first_events(session, USAGE_CHANGED, {"c": carrier}, 2))
            await watching(b, 1)
            await used(a, key, served=3, refused=1)
            await used(a, key, served=2)
            events = await reading
        since = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        response = await b.post(
            "/graphql",
            json={"query": USAGE, "variables": {"k": to_global_id("ApiKey", key), "s": since}},
            headers=factories.bearer(admin),
        )
        buckets = (await response.json())["data"]["apiKey"]["usage"]
    assert [e["apiKeyUsageChanged"]["carrier"] for e in events] == [{"id": carrier, "code": code}] * 2
    assert (sum(b["served"] for b in buckets), sum(b["refused"] for b in buckets)) == (5, 1)


async def test_one_notification_per_carrier_whatever_the_number_of_keys(own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    try:
        carrier = await factories.carrier(conn, factories.unique_code("N"))
        keys = [(await factories.api_key(conn, carrier))[0] for _ in range(20)]
        heard: list[str] = []
        last = asyncio.Event()

        def hear(*args: Any) -> None:
            heard.append(args[3])
            if args[3] == "last":
                last.set()

        await conn.add_listener("carrier_admin_changes", hear)
        async with instance(own_database) as a:
            recorder = a.app[KEY_USAGE]
            for key in keys:
                recorder.count(key, datetime.now(UTC), Outcome.SERVED)
            await recorder.flush()
        # Notifications arrive in commit order: once this one (sent after the flush committed, and after
        # the instance, which would read it, has stopped) is heard, every one of the flush's has been.
        await conn.execute("select pg_notify('carrier_admin_changes', 'last')")
        async with asyncio.timeout(30):
            await last.wait()
    finally:
        await conn.close()
    usage = [p for p in heard if '"key_usage"' in p]
    assert usage == [f'{{"t": "key_usage", "carrier": "{carrier}"}}']


async def test_another_tenants_subscriber_never_hears_of_it(own_database: str) -> None:
    carrier, _code, key = await carrier_with_key(own_database)
    other, other_code, other_key = await carrier_with_key(own_database)
    outsider = factories.admin_token(carriers=[other_code])
    async with (
        instance(own_database) as a,
        instance(own_database) as b,
        ws_client(b, outsider) as session,
    ):
        reading = asyncio.create_task(first_events(session, USAGE_CHANGED, {"c": other}, 1))
        await watching(b, 1)
        # The first carrier's use, then its own carrier's: their notifications arrive in that order (commit
        # order), so had the outsider heard the first, it would be the first event it reads.
        await used(a, key, served=4)
        await used(a, other_key, served=1)
        (event,) = await reading
    assert event["apiKeyUsageChanged"]["carrier"]["id"] == other
    assert carrier != other
