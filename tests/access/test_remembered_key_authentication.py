"""Authentication with a key the cache remembers (web/authentication.Authenticator._rememberable_hash)
skips the secret's format and checksum check: only the issued secret itself may then pass. Generated
near misses of a real key (typos, cuts, additions, other characters, other lengths), each presented with
the cache cold and then warm, are refused alike; the key itself authenticates; and each presentation is
one cache lookup, hit or miss."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
from hypothesis import strategies as st

from access import keyformat
from db.pool import PoolDatabase, create_pool
from services.change_feed import ChangeFeed
from services.key_cache import KeyCache
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn
from web.authentication import AuthenticationError, Authenticator

# An edit of the secret: (where, what) replaces, inserts or deletes around a position.
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete", "cut"]),
        st.integers(min_value=0, max_value=80),
        st.text(min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=3,
)
DRAWN_EDITS = drawn(EDITS, 60)


def edited(secret: str, edits: list[tuple[str, int, str]]) -> str:
    for how, where, text in edits:
        at = where % (len(secret) + 1)
        if how == "replace":
            secret = secret[:at] + text + secret[at + len(text) :]
        elif how == "insert":
            secret = secret[:at] + text + secret[at:]
        elif how == "delete":
            secret = secret[:at] + secret[at + len(text) :]
        else:
            secret = secret[:at]
    return secret


async def test_only_the_issued_secret_passes_whether_or_not_the_cache_remembers_it(
    own_database: str, feed: ChangeFeed
) -> None:
    setup = await asyncpg.connect(own_database)
    carrier = await factories.carrier(setup, factories.unique_code("REM"))
    key_id, secret = await factories.api_key(setup, carrier)
    await setup.close()
    pool = await create_pool(own_database, min_size=1, max_size=2, statement_timeout_seconds=5)
    authenticator = Authenticator(make_settings(), lambda: datetime.now(UTC))
    authenticator.key_cache = cache = KeyCache(feed)
    database = PoolDatabase(pool)

    async def outcome(candidate: str) -> Any:
        try:
            caller = await authenticator.authenticate(
                authorization=f"Bearer {candidate}", query={}, address=None, database=database
            )
        except AuthenticationError as error:
            return ("refused", error.status, str(error))
        return ("key", caller.key.id if caller.key else None)

    try:
        # the key itself, cold then warm: the same caller, then from memory (a lookup under way when the
        # feed brings the key's own creation is not remembered: present it until the cache answers)
        async with asyncio.timeout(60):
            while cache.stats.hits == 0:
                assert await outcome(secret) == ("key", key_id)
        refused = await outcome(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
        assert refused[0] == "refused"
        for _ in range(3):  # well formed, never issued: looked up in PostgreSQL once, then remembered
            unknown = keyformat.generate("test").secret
            lookups = cache.stats.hits + cache.stats.misses
            assert await outcome(unknown) == await outcome(unknown) == refused
            assert cache.stats.hits + cache.stats.misses - lookups == 2
        for edits in DRAWN_EDITS:
            candidate = edited(secret, edits)
            if candidate == secret or not candidate.strip():
                continue
            lookups = cache.stats.hits + cache.stats.misses
            # given: a near miss of the key; when: presented twice (the second after any remembering)
            first, second = await outcome(candidate), await outcome(candidate)
            # then: refused alike, as any malformed or unknown key is, and looked up at most once each
            assert first == second, candidate
            assert first[0] == "refused", candidate
            assert cache.stats.hits + cache.stats.misses - lookups <= 2
    finally:
        await pool.close()
