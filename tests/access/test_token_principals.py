"""A verified token keeps the principal it names once that principal is final
(web/authentication.Authenticator._person): a staff member's at once, an administrator's once every
carrier code the token names belongs to a carrier. Generated runs of tokens (staff, or administrators
naming codes of which some have no carrier yet) presented between generated carrier creations must
always act as the principal an authenticator that remembers nothing reads; and a token presented
again once final is the same principal, not rebuilt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from hypothesis import strategies as st

from access.tokens import mint_development_token
from db.pool import PoolDatabase, create_pool
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn
from web.authentication import Authenticator
from web.view import utc_now

CODES = 4  # per run; each drawn as an index


@dataclass(frozen=True)
class Token:
    staff: bool
    codes: tuple[int, ...]


TOKENS = st.builds(Token, st.booleans(), st.lists(st.integers(0, CODES - 1), max_size=3).map(tuple))
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("present"), st.integers(0, 2)),
        st.tuples(st.just("create carrier"), st.integers(0, CODES - 1)),
    ),
    min_size=1,
    max_size=12,
)
RUNS = drawn(st.tuples(st.lists(TOKENS, min_size=3, max_size=3), STEPS), 30)


async def test_a_kept_principal_is_the_one_a_fresh_reading_gives(own_database: str) -> None:
    conn = await asyncpg.connect(own_database)
    pool = await create_pool(own_database, min_size=1, max_size=2, statement_timeout_seconds=5)
    database = PoolDatabase(pool)
    remembering = Authenticator(make_settings(), utc_now)
    kept = 0
    try:
        for number, (tokens, steps) in enumerate(RUNS):
            codes = [factories.unique_code(f"T{number}") for _ in range(CODES)]
            texts = [
                mint_development_token(
                    factories.TOKENS,
                    subject=f"person-{number}-{index}",
                    name="Pat Person",
                    staff=token.staff,
                    carrier_codes=[codes[i] for i in token.codes],
                )
                for index, token in enumerate(tokens)
            ]
            created: set[int] = set()
            earlier: dict[int, Any] = {}
            for kind, which in steps:
                if kind == "create carrier":
                    if which not in created:
                        await factories.carrier(conn, codes[which])
                        created.add(which)
                    continue
                # when: the token is presented, to an authenticator that remembers and to a fresh one
                caller = await remembering.authenticate(
                    authorization=f"Bearer {texts[which]}", query={}, address=None, database=database
                )
                fresh = await Authenticator(make_settings(), utc_now).authenticate(
                    authorization=f"Bearer {texts[which]}", query={}, address=None, database=database
                )
                # then: the same principal; kept once final
                assert caller.principal == fresh.principal, (tokens[which], created)
                final = tokens[which].staff or set(tokens[which].codes) <= created
                if final and earlier.get(which) is not None:
                    assert caller.principal is earlier[which]
                    kept += 1
                earlier[which] = caller.principal if final else None
    finally:
        await pool.close()
        await conn.close()
    assert kept > 10
