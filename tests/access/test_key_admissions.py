"""A remembered key's admission is kept (web/authentication.Admitted) and given again without judging the
key: the answer must always be the one a fresh judgement gives. Generated keys (expiry, a rotation's
grace, an allowlist) are presented from generated addresses at generated moments, some straddling the
key's end, and changed in PostgreSQL between presentations (expired, narrowed, revoked, API access
turned off); every answer is compared with an authenticator that remembers nothing and reads the key
from PostgreSQL each time."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from hypothesis import strategies as st

from db.pool import PoolDatabase, create_pool
from services.change_feed import Change, ChangeFeed
from services.key_cache import KeyCache
from tests import factories
from tests.conftest import make_settings
from tests.drawn import drawn
from web.authentication import AuthenticationError, Authenticator, Caller

API_ACCESS = make_settings().api_access_feature
HEARD_SECONDS = 30  # a bound on the feed, not a wait: each wait ends on the change being heard
ADDRESSES = [None, "10.1.2.3", "10.200.0.1", "192.168.1.5", "2001:db8::7"]
ALLOWLISTS = [[], ["10.0.0.0/8"], ["192.168.1.5/32", "2001:db8::/32"]]
CHANGES = [
    "expire",
    "narrow allowlist",
    "widen allowlist",
    "rotate (grace)",
    "revoke",
    "api access off",
    "api access on",
]


EXPIRE = "update api_keys set expires_at = $2 where id = $1 and expires_at is distinct from $2 returning id"
SET_ALLOWLIST = """update api_keys set ip_allowlist = $2::cidr[]
                   where id = $1 and ip_allowlist is distinct from $2::cidr[] returning id"""
REVOKE = """update api_keys set revoked_at = $2, revoked_by_kind = 'system', revoked_by_id = 'test',
                                revoked_reason = 'test revocation'
            where id = $1 and revoked_at is distinct from $2 returning id"""


@dataclass(frozen=True)
class Scenario:
    expires_in: int | None  # seconds after the start; None: in 90 days
    grace_ends_in: int | None  # a rotated key: revoked at this moment (its grace ends)
    allowlist: list[str]
    # Each step: a presentation (seconds since the start, address), the one before again, the same
    # address later, or a change to the key.
    steps: list[tuple[str, Any]]


# Mostly early (most keys still work), some around and past each key's end.
MOMENTS = st.one_of(st.integers(min_value=0, max_value=10), st.integers(min_value=-5, max_value=130))
STEPS = st.one_of(
    st.tuples(st.just("present"), st.tuples(MOMENTS, st.sampled_from(ADDRESSES))),
    st.tuples(st.just("again"), st.none()),  # the same moment and address as the step before
    st.tuples(st.just("later"), st.integers(min_value=0, max_value=130)),  # the same address, later
    st.tuples(st.just("change"), st.sampled_from(CHANGES)),
)
SCENARIOS = st.builds(
    Scenario,
    expires_in=st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    grace_ends_in=st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    allowlist=st.sampled_from(ALLOWLISTS),
    steps=st.lists(STEPS, min_size=1, max_size=12),
)
DRAWN_SCENARIOS = drawn(SCENARIOS, 40)


def outcome(answer: Caller | AuthenticationError) -> tuple[Any, ...]:
    if isinstance(answer, AuthenticationError):
        return ("refused", answer.kind, answer.status, answer.code, answer.message, answer.key_id)
    assert answer.key is not None
    return ("admitted", answer.principal, answer.key.id, answer.ends_at, answer.used_from, answer.address)


async def present(
    authenticator: Authenticator, database: PoolDatabase, secret: str, address: str | None
) -> Any:
    try:
        return await authenticator.authenticate(
            authorization=f"Bearer {secret}",
            query={},
            address=ipaddress.ip_address(address) if address else None,
            database=database,
        )
    except AuthenticationError as error:
        return error


async def change(conn: asyncpg.Connection, key_id: Any, carrier_id: Any, what: str, start: datetime) -> bool:
    """Change the key (or its carrier's API access) as `what` says; whether anything changed (an update
    to the same values notifies no one)."""
    if what.startswith("api access"):
        feature = await conn.fetchval("select id from features where key = $1", API_ACCESS)
        await factories.set_carrier_enablement(conn, carrier_id, feature, what == "api access on")
        return True
    # Each change is one fixed statement; `$2` the value, and the update only when it differs.
    statement, value = {
        "expire": (EXPIRE, start + timedelta(seconds=30)),
        "narrow allowlist": (SET_ALLOWLIST, [ipaddress.ip_network("192.168.1.5/32")]),
        "widen allowlist": (SET_ALLOWLIST, []),
        "rotate (grace)": (REVOKE, start + timedelta(seconds=60)),
        "revoke": (REVOKE, start - timedelta(seconds=1)),
    }[what]
    changed = await conn.fetchval(statement, key_id, value)
    return changed is not None


class Heard:
    """The feed's notifications as they arrive, to wait on one (notifications come in commit order)."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.changes: list[Change] = []
        self.arrived = asyncio.Event()
        feed.on_change(self.heard)

    def heard(self, change: Change) -> None:
        self.changes.append(change)
        self.arrived.set()

    async def until(self, kind: str, id: Any, count: int) -> None:
        """Until `count` notifications of this kind (and id, if given) have arrived."""
        async with asyncio.timeout(HEARD_SECONDS):
            while sum(c.kind == kind and id in (None, c.id) for c in self.changes) < count:
                self.arrived.clear()
                await self.arrived.wait()


async def test_a_kept_admission_answers_as_a_fresh_judgement_would(
    own_database: str, feed: ChangeFeed
) -> None:
    conn = await asyncpg.connect(own_database)
    pool = await create_pool(own_database, min_size=1, max_size=2, statement_timeout_seconds=5)
    database = PoolDatabase(pool)
    clock = [datetime.now(UTC)]
    remembering = Authenticator(make_settings(), lambda: clock[0])
    remembering.key_cache = KeyCache(feed)
    fresh = Authenticator(make_settings(), lambda: clock[0])  # no cache: reads the key every time
    heard = Heard(feed)
    await factories.feature(conn, API_ACCESS, default=True)
    presented = kept = 0
    try:
        for scenario in DRAWN_SCENARIOS:
            # given: a key as the scenario draws it, its notifications heard
            carrier_id = await factories.carrier(conn)
            start = await conn.fetchval("select now()")
            key_id, secret = await factories.api_key(
                conn,
                carrier_id,
                allowlist=scenario.allowlist,
                expires_at=start + timedelta(seconds=scenario.expires_in) if scenario.expires_in else None,
            )
            updates = 1
            if scenario.grace_ends_in is not None:
                updates += await change(conn, key_id, carrier_id, "rotate (grace)", start)
            enablements = len([c for c in heard.changes if c.kind == "carrier_enablement"])
            await heard.until("api_key", key_id, updates)
            given: list[Any] = []
            seconds, address = 0, None
            for kind, step in scenario.steps:
                if kind == "change":
                    if step.startswith("api access"):
                        await change(conn, key_id, carrier_id, step, start)
                        enablements += 1
                        await heard.until("carrier_enablement", None, enablements)
                    elif await change(conn, key_id, carrier_id, step, start):
                        updates += 1
                        await heard.until("api_key", key_id, updates)
                    continue
                # when: the key is presented at this moment from this address (or as the step before), to both
                if kind == "present":
                    seconds, address = step
                elif kind == "later":
                    seconds = max(seconds, step)
                clock[0] = start + timedelta(seconds=seconds)
                answer = await present(remembering, database, secret, address)
                expected = await present(fresh, database, secret, address)
                # then: the same answer, whether kept or judged
                assert outcome(answer) == outcome(expected), (scenario, seconds, address)
                if isinstance(answer, Caller):
                    presented += 1
                    kept += any(answer is earlier for earlier in given)
                    given.append(answer)
    finally:
        await pool.close()
        await conn.close()
    # and the kept admission was in fact given again (the same caller object), not judged every time
    assert kept > presented / 4, (kept, presented)
