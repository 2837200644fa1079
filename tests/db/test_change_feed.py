"""The change feed (migration 0004, services/change_feed.py) and the key cache that trusts only it.

On a database of their own, whose commits are real: every kind of change notifies, once committed and
never when rolled back; a key's mere use does not; the listener comes back after its connection is
killed, and while it is away the cache holds nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import asyncpg
import pytest

from access import keyformat
from db import api_keys
from services.change_feed import FRESH_SECONDS, LOST_SECONDS, Change, ChangeFeed
from services.key_cache import KeyCache
from tests import factories

WAIT = 5.0


@pytest.fixture
async def conn(own_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(own_database)
    yield connection
    await connection.close()


class Heard:
    def __init__(self, feed: ChangeFeed) -> None:
        self.changes: list[Change] = []
        feed.on_change(self.changes.append)

    async def after(self, change: Callable[[], Awaitable[object]]) -> list[Change]:
        """The changes heard after `change` (waiting until the feed has gone quiet)."""
        self.changes.clear()
        await change()
        async with asyncio.timeout(WAIT):
            while not self.changes:  # noqa: ASYNC110 - notifications, not an event, are awaited
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        return list(self.changes)


async def test_each_kind_of_change_is_heard_with_its_ids(feed: ChangeFeed, conn: asyncpg.Connection) -> None:
    heard = Heard(feed)
    organization = await factories.organization(conn)
    carrier = await factories.carrier(conn, factories.unique_code("F"))
    feature = await factories.feature(conn)
    await asyncio.sleep(0.3)  # the setup's own notifications arrive first

    attach = "update carriers set organization_id = $2 where id = $1"
    assert await heard.after(lambda: conn.execute(attach, carrier, organization)) == [
        Change("carrier", carrier_id=carrier, organization_id=organization)
    ]
    detach = "update carriers set organization_id = null where id = $1"
    assert await heard.after(lambda: conn.execute(detach, carrier)) == [
        Change("carrier", carrier_id=carrier, previous_organization_id=organization)
    ]
    assert await heard.after(lambda: factories.set_carrier_enablement(conn, carrier, feature, True)) == [
        Change("carrier_enablement", carrier_id=carrier, feature_id=feature)
    ]
    set_default = "update features set default_enabled = true where id = $1"
    assert await heard.after(lambda: conn.execute(set_default, feature)) == [
        Change("feature", feature_id=feature)
    ]
    assert await heard.after(
        lambda: factories.set_organization_enablement(conn, organization, feature, False)
    ) == [Change("organization_enablement", organization_id=organization, feature_id=feature)]
    rename = "update organizations set name = name || '!' where id = $1"
    assert await heard.after(lambda: conn.execute(rename, organization)) == [
        Change("organization", organization_id=organization)
    ]
    key_id: list[uuid.UUID] = []

    async def create() -> None:
        key_id.append((await factories.api_key(conn, carrier))[0])

    created = await heard.after(create)
    assert Change("api_key", id=key_id[0], carrier_id=carrier, action="created") in created
    revoke = """update api_keys set revoked_at = now(), revoked_by_kind = 'system', revoked_by_id = 't',
                revoked_reason = 'test' where id = $1"""
    assert await heard.after(lambda: conn.execute(revoke, key_id[0])) == [
        Change("api_key", id=key_id[0], carrier_id=carrier, action="revoked")
    ]


async def test_a_keys_use_notifies_nothing_and_a_rolled_back_change_is_never_heard(
    feed: ChangeFeed, conn: asyncpg.Connection
) -> None:
    heard = Heard(feed)
    carrier = await factories.carrier(conn, factories.unique_code("U"))
    key_id, _ = await factories.api_key(conn, carrier)
    await asyncio.sleep(0.2)
    heard.changes.clear()

    now = await conn.fetchval("select now()")
    await api_keys.touch_last_used(conn, [(key_id, now, "192.0.2.1")])
    transaction = conn.transaction()
    await transaction.start()
    await conn.execute("update api_keys set description = 'never' where id = $1", key_id)
    await transaction.rollback()
    await asyncio.sleep(0.3)

    assert heard.changes == []


async def test_the_listener_comes_back_and_the_cache_forgets_meanwhile(
    feed: ChangeFeed, conn: asyncpg.Connection
) -> None:
    # given: a key remembered by the cache
    cache = KeyCache(feed)
    carrier = await factories.carrier(conn, factories.unique_code("R"))
    _, secret = await factories.api_key(conn, carrier)
    secret_hash = keyformat.parse(secret).secret_hash  # type: ignore[union-attr]
    found = await api_keys.by_secret_hash(conn, secret_hash=secret_hash, access_feature="x.y")
    cache.remember(secret_hash, found, cache.generation)
    assert cache.get(secret_hash) is not None

    # when: the listening connection is killed
    await conn.execute("select pg_terminate_backend($1)", feed.backend_pid)
    async with asyncio.timeout(WAIT):
        while feed.listening:  # noqa: ASYNC110 - the feed's state is polled
            await asyncio.sleep(0.01)

    # then: nothing is remembered, nor kept, until the feed listens again; then it works as before
    assert cache.get(secret_hash) is None
    cache.remember(secret_hash, found, cache.generation)
    assert feed.listening or cache.get(secret_hash) is None
    async with asyncio.timeout(WAIT):
        await feed.until_listening()
    assert feed.stats.reconnects >= 1
    cache.remember(secret_hash, found, cache.generation)
    assert cache.get(secret_hash) is not None


async def test_a_change_heard_during_a_lookup_keeps_its_answer_out_of_the_cache(
    feed: ChangeFeed, conn: asyncpg.Connection
) -> None:
    cache = KeyCache(feed)
    carrier = await factories.carrier(conn, factories.unique_code("G"))
    key_id, secret = await factories.api_key(conn, carrier)
    secret_hash = keyformat.parse(secret).secret_hash  # type: ignore[union-attr]

    # a lookup begins, reads the key, and before it is kept the key is revoked and that is heard
    generation = cache.generation
    found = await api_keys.by_secret_hash(conn, secret_hash=secret_hash, access_feature="x.y")
    await conn.execute(
        """update api_keys set revoked_at = now(), revoked_by_kind = 'system', revoked_by_id = 't',
           revoked_reason = 'test' where id = $1""",
        key_id,
    )
    async with asyncio.timeout(WAIT):
        while cache.generation == generation:  # noqa: ASYNC110 - the cache's state is polled
            await asyncio.sleep(0.01)
    cache.remember(secret_hash, found, generation)

    assert cache.get(secret_hash) is None


async def test_unknown_secrets_are_remembered_briefly_and_in_bounded_numbers(
    feed: ChangeFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("services.key_cache.MAX_UNKNOWN", 50)
    cache = KeyCache(feed)
    clock = [1000.0]
    cache.monotonic = lambda: clock[0]
    guesses = [keyformat.generate("test").secret_hash for _ in range(200)]
    for guess in guesses:
        cache.remember(guess, None, cache.generation)
    assert len(cache.unknown) == 50
    assert cache.get(guesses[-1]) is not None
    assert cache.get(guesses[0]) is None  # the oldest went first
    clock[0] += timedelta(seconds=6).total_seconds()
    assert cache.get(guesses[-1]) is None  # and none lives long


class Clock:
    """The feed's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_silent_listener_is_distrusted_once_its_heartbeat_is_late_then_replaced(
    own_database: str, conn: asyncpg.Connection
) -> None:
    # given: a feed on a clock of the test's, and a key the cache remembers
    clock = Clock()
    feed = ChangeFeed(lambda: asyncpg.connect(own_database), clock=clock)
    await feed.start()
    cache = KeyCache(feed)
    carrier = await factories.carrier(conn, factories.unique_code("H"))
    _, secret = await factories.api_key(conn, carrier)
    secret_hash = keyformat.parse(secret).secret_hash  # type: ignore[union-attr]
    found = await api_keys.by_secret_hash(conn, secret_hash=secret_hash, access_feature="x.y")
    try:
        async with asyncio.timeout(WAIT):
            await feed.until_listening()
        cache.remember(secret_hash, found, cache.generation)
        assert cache.get(secret_hash) is not None
        stopped = feed.backend_pid
        assert stopped is not None

        # when: its backend stops without closing the connection (nothing more is ever heard)
        os.kill(stopped, signal.SIGSTOP)
        try:
            clock.now += FRESH_SECONDS

            # then: no heartbeat sent since has been heard, so the feed is not trusted: not listening,
            # and the cache answers nothing from memory
            assert not feed.listening
            assert cache.get(secret_hash) is None

            # and the silent connection is replaced by a new one (LOST_SECONDS without a heartbeat)
            async with asyncio.timeout(WAIT + LOST_SECONDS):
                while feed.stats.reconnects == 0:  # noqa: ASYNC110 - the feed's state is polled
                    await asyncio.sleep(0.01)
                await feed.until_listening()
            assert feed.backend_pid != stopped
        finally:
            os.kill(stopped, signal.SIGCONT)
        cache.remember(secret_hash, found, cache.generation)
        assert cache.get(secret_hash) is not None
    finally:
        await feed.stop()
