"""Fixtures of the data layer's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from db.pool import create_pool

# Smaller than the requests the tests run at once: some of them wait for a connection.
SMALL_POOL_SIZE = 2


@pytest.fixture
async def pool(own_database: str) -> AsyncIterator[asyncpg.Pool]:
    made = await create_pool(
        own_database, min_size=SMALL_POOL_SIZE, max_size=SMALL_POOL_SIZE, statement_timeout_seconds=5
    )
    try:
        yield made
    finally:
        await made.close()
