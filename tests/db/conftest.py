"""Fixtures of the data layer's tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from db.kept_pool import KeptPool
from db.pool import create_pool

# Smaller than the requests the tests run at once: some of them wait for a connection.
SMALL_POOL_SIZE = 2
CLOSE_SECONDS = 30


@pytest.fixture
async def pool(own_database: str) -> AsyncIterator[KeptPool]:
    made = await create_pool(
        own_database, min_size=SMALL_POOL_SIZE, max_size=SMALL_POOL_SIZE, statement_timeout_seconds=5
    )
    try:
        yield made
    finally:
        try:
            # A connection a test failed to give back would make close() wait for ever: the test has
            # failed already, and the pool is ended instead.
            async with asyncio.timeout(CLOSE_SECONDS):
                await made.close()
        except TimeoutError:
            made.terminate()
            pytest.fail("a connection was not given back to the pool")
