"""A verified token is remembered to save a signature check, but never past its expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from access.tokens import mint_development_token
from tests import factories
from tests.conftest import ClientFactory

VIEWER = {"query": "{ viewer { kind } }"}


async def test_a_remembered_token_still_expires(make_client: ClientFactory) -> None:
    # given: one app whose clock we move, and a token valid for ten minutes from its start
    clock = [datetime(2026, 11, 26, 12, 0, tzinfo=UTC)]
    client = await make_client(now=lambda: clock[0])
    token = mint_development_token(
        factories.TOKENS,
        subject="cache-1",
        name="Cache",
        staff=True,
        lifetime_seconds=600,
        now=clock[0].timestamp(),
    )
    headers = factories.bearer(token)

    # when / then: accepted twice (the second time from memory) ...
    for _ in range(2):
        assert (await client.post("/graphql", json=VIEWER, headers=headers)).status == 200
    # ... and refused once the clock passes expiry and the leeway, memory notwithstanding
    clock[0] += timedelta(minutes=10, seconds=31)
    response = await client.post("/graphql", json=VIEWER, headers=headers)
    assert response.status == 401
    assert "expired" in (await response.json())["errors"][0]["message"]
