"""The per-request loaders' own behaviour (their SQL is tested through the schema)."""

from __future__ import annotations

import asyncio

from db.loaders import RequestLoader


async def test_a_cancelled_load_is_loaded_again_not_handed_out() -> None:
    calls: list[list[str]] = []

    async def batch(keys: list[str]) -> list[str]:
        calls.append(keys)
        await asyncio.sleep(0)
        return [key.upper() for key in keys]

    loader: RequestLoader[str, str] = RequestLoader(batch_load_fn=batch)
    first = loader.load("a")
    first.cancel()  # as graphql-core cancels a failed field's siblings
    again = loader.load("a")
    assert again is not first
    assert await again == "A"
    assert await loader.load("a") == "A"  # and the answer is cached as usual
    assert len(calls) == 1  # one batch, whatever it was queued with
