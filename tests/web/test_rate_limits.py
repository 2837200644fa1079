"""Rate limits over HTTP: per API key, per person, per address for anonymous callers, failed
authentication per address, and the Redis-backed counters shared by two app instances."""

from __future__ import annotations

import asyncio
import contextlib
import string
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from access import keyformat
from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory
from tests.drawn import drawn
from tests.factories import admin_token, bearer, staff_token
from tests.web.test_server_processes import free_port
from web.rate_limit import WINDOW_SECONDS, InProcessCounter, RateLimiter, rate_limiter

VIEWER = "query Viewer { viewer { kind id } }"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


async def fresh_window(needed: float = 3.0) -> None:
    """The counters use fixed one-minute windows: start a scenario with at least `needed` s left."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < needed:
        await asyncio.sleep(left + 0.05)


async def _ask(client: TestClient[Any, Any], headers: dict[str, str] | None = None) -> ClientResponse:
    response = await client.post("/graphql", json={"query": VIEWER}, headers=headers or {})
    await response.read()
    return response


async def _assert_rate_limited(response: ClientResponse) -> None:
    assert response.status == 429
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= WINDOW_SECONDS
    body = await response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(retry_after)
    assert response.headers["Cache-Control"] == "no-store"


async def _two_keys(conn: Connection) -> tuple[str, str]:
    carrier_id = await factories.carrier(conn)
    _, first = await factories.api_key(conn, carrier_id)
    _, second = await factories.api_key(conn, carrier_id)
    return first, second


async def test_per_key_limit(make_client: ClientFactory, conn: Connection) -> None:
    key, other_key = await _two_keys(conn)
    client = await make_client(rate_limit_per_key=3)
    await fresh_window()

    statuses = [(await _ask(client, bearer(key))).status for _ in range(3)]
    fourth = await _ask(client, bearer(key))

    assert statuses == [200, 200, 200]
    await _assert_rate_limited(fourth)
    # Another key has its own count.
    assert (await _ask(client, bearer(other_key))).status == 200


async def test_per_person_limit(make_client: ClientFactory) -> None:
    client = await make_client(rate_limit_per_person=3)
    await fresh_window()

    # Every request with a freshly minted token: the count is the person's (subject), not the token's.
    statuses = [(await _ask(client, bearer(staff_token()))).status for _ in range(3)]
    fourth = await _ask(client, bearer(staff_token()))

    assert statuses == [200, 200, 200]
    await _assert_rate_limited(fourth)
    other_person = await _ask(client, bearer(admin_token(subject="admin-rate-2")))
    assert other_person.status == 200
    assert (await other_person.json())["data"]["viewer"] == {"kind": "ADMIN", "id": "admin-rate-2"}


async def test_per_person_limit_between_two_admins(make_client: ClientFactory) -> None:
    client = await make_client(rate_limit_per_person=2)
    await fresh_window()

    first = [(await _ask(client, bearer(admin_token(subject="admin-a")))).status for _ in range(3)]
    second = [(await _ask(client, bearer(admin_token(subject="admin-b")))).status for _ in range(2)]

    assert first == [200, 200, 429]
    assert second == [200, 200]


async def test_anonymous_requests_per_address(make_client: ClientFactory) -> None:
    client = await make_client(rate_limit_per_address=2)
    await fresh_window()

    statuses = [(await _ask(client)).status for _ in range(2)]
    third = await _ask(client)

    assert statuses == [200, 200]
    await _assert_rate_limited(third)
    # People are counted by who they are, not by the address they share with anonymous callers.
    assert (await _ask(client, bearer(staff_token()))).status == 200


# Credentials that match nothing, of every kind a guesser or a broken client sends.
GUESSES = st.one_of(
    st.builds(lambda: keyformat.generate("test").secret),  # well-formed, checksum right, unknown
    st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=60).map(
        lambda tail: f"cak_test_{tail}"  # malformed keys
    ),
    st.just("eyJhbGciOiJIUzI1NiJ9.e30.bad"),  # a token that does not verify
    st.text(alphabet=string.ascii_letters + string.digits + "-._", min_size=1, max_size=40),
)


async def test_guesses_past_the_limit_get_429_while_credentials_that_verify_are_served(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: an address past its limit of failed attempts, with credentials of every kind that fail
    key, _ = await _two_keys(conn)
    _, revoked = await factories.api_key(conn, await factories.carrier(conn), revoked=True)
    client = await make_client(rate_limit_failed_auth_per_address=2)
    guesses = drawn(GUESSES, 12)
    await fresh_window()
    statuses = [(await _ask(client, bearer(guess))).status for guess in guesses]

    # then: the first two failures are 401, every later one 429 with Retry-After
    assert statuses[:2] == [401, 401]
    assert set(statuses[2:]) == {429}
    await _assert_rate_limited(await _ask(client, bearer(guesses[0])))
    # and whoever authenticates from the same address (a shared NAT) is served: a person, a key
    assert (await _ask(client, bearer(staff_token()))).status == 200
    assert (await _ask(client, bearer(key))).status == 200
    # a known key that is refused keeps its own answer: who the caller is comes before how often
    assert (await _ask(client, bearer(revoked))).status == 401
    # and a request without credentials has nothing to guess with
    assert (await _ask(client)).status == 200


async def test_a_known_keys_refusals_are_not_counted_as_guesses(
    make_client: ClientFactory, conn: Connection
) -> None:
    _, revoked = await factories.api_key(conn, await factories.carrier(conn), revoked=True)
    client = await make_client(rate_limit_failed_auth_per_address=2)
    await fresh_window()

    statuses = [(await _ask(client, bearer(revoked))).status for _ in range(5)]
    guess = await _ask(client, bearer("cak_test_not-a-real-key"))

    assert statuses == [401] * 5
    assert guess.status == 401


async def test_failed_authentication_below_the_limit_lets_a_valid_credential_through(
    make_client: ClientFactory,
) -> None:
    client = await make_client(rate_limit_failed_auth_per_address=2)
    await fresh_window()

    failure = await _ask(client, bearer("cak_test_not-a-real-key"))
    success = await _ask(client, bearer(staff_token()))

    assert (failure.status, success.status) == (401, 200)


async def _redis_answers() -> bool:
    try:
        async with asyncio.timeout(0.5):
            _, writer = await asyncio.open_connection(REDIS_HOST, REDIS_PORT)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def test_redis_counters_are_shared_between_instances(
    make_client: ClientFactory, conn: Connection
) -> None:
    if not await _redis_answers():
        pytest.skip(f"nothing answers on {REDIS_HOST}:{REDIS_PORT}")
    # A key created in this test: its id (the counter's name) is new, whoever else uses this Redis.
    key, _ = await _two_keys(conn)
    one = await make_client(redis_url=REDIS_URL, rate_limit_per_key=3)
    other = await make_client(redis_url=REDIS_URL, rate_limit_per_key=3)
    await fresh_window()

    statuses = [
        (await _ask(one, bearer(key))).status,
        (await _ask(one, bearer(key))).status,
        (await _ask(other, bearer(key))).status,
    ]
    fourth = await _ask(other, bearer(key))

    assert statuses == [200, 200, 200]
    await _assert_rate_limited(fourth)
    await _assert_rate_limited(await _ask(one, bearer(key)))


async def test_redis_counters_are_per_key(make_client: ClientFactory, conn: Connection) -> None:
    if not await _redis_answers():
        pytest.skip(f"nothing answers on {REDIS_HOST}:{REDIS_PORT}")
    key, other_key = await _two_keys(conn)
    client = await make_client(redis_url=REDIS_URL, rate_limit_per_key=1)
    await fresh_window()

    assert (await _ask(client, bearer(key))).status == 200
    assert (await _ask(client, bearer(key))).status == 429
    assert (await _ask(client, bearer(other_key))).status == 200


@contextlib.asynccontextmanager
async def redis_server(port: int) -> AsyncIterator[None]:
    """A Redis of the test's own on `port`, stopped afterwards (the machine's Redis stays untouched)."""
    process = await asyncio.create_subprocess_exec(
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.05)
        yield
    finally:
        process.terminate()
        await process.wait()


async def test_limits_hold_per_process_while_redis_is_down_and_are_shared_again_after(
    make_client: ClientFactory,
) -> None:
    port = free_port()
    client = await make_client(
        redis_url=f"redis://127.0.0.1:{port}/0", rate_limit_per_person=2, rate_limit_redis_retry_seconds=0.2
    )
    await fresh_window(needed=10)
    person = admin_token(subject="redis-outage")

    # Redis is down: the limit still holds, counted in the process; readiness and metrics say so.
    statuses = [(await _ask(client, bearer(person))).status for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert (await (await client.get("/readyz")).json())["rateLimits"] == "process, Redis unreachable"
    assert "carrier_admin_rate_limits_shared 0.0" in await (await client.get("/metrics")).text()

    # Redis comes back: the next try after the retry interval counts there again.
    async with redis_server(port):
        await asyncio.sleep(0.3)
        again = admin_token(subject="redis-back")
        statuses = [(await _ask(client, bearer(again))).status for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert (await (await client.get("/readyz")).json())["rateLimits"] == "redis"
        assert "carrier_admin_rate_limits_shared 1.0" in await (await client.get("/metrics")).text()


async def test_failed_authentication_is_limited_while_redis_is_down(make_client: ClientFactory) -> None:
    client = await make_client(
        redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_failed_auth_per_address=2
    )
    await fresh_window()

    statuses = [(await _ask(client, bearer("cak_test_nope"))).status for _ in range(3)]

    assert statuses == [401, 401, 429]


# What happens next, drawn: a request through instance a or b, or Redis stopping or starting again (it
# keeps nothing: its counts begin again).
STEPS = st.lists(st.sampled_from(["a", "b", "a", "b", "stop", "start"]), min_size=10, max_size=30)


async def test_with_two_instances_a_caller_never_gets_past_twice_the_limit_whatever_redis_does(
    make_client: ClientFactory,
) -> None:
    """Each instance counts on its own too, and lets a caller through only within the limit by its own
    count as well: two instances let at most twice the limit through in a window however Redis comes
    and goes (before, an outage gave each instance a fresh count, and the restart a third: 310 requests
    in a minute with a limit of 100); while Redis stays up, the limit itself."""
    limit = 4
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    instances = {
        name: await make_client(
            redis_url=redis_url, rate_limit_per_person=limit, rate_limit_redis_retry_seconds=0.01
        )
        for name in "ab"
    }
    for number, steps in enumerate(drawn(STEPS, 6)):
        async with contextlib.AsyncExitStack() as redis:
            await redis.enter_async_context(redis_server(port))
            await fresh_window(needed=5)
            person = bearer(admin_token(subject=f"restarts-{number}-{time.time()}"))
            served, running, interrupted = 0, True, False
            for step in steps:
                if step == "stop" and running:
                    await redis.aclose()
                    running, interrupted = False, True
                elif step == "start" and not running:
                    await redis.enter_async_context(redis_server(port))
                    await asyncio.sleep(0.02)  # past the retry interval: the next request tries Redis
                    running = True
                elif step in instances:
                    served += (await _ask(instances[step], person)).status == 200

            assert served <= (2 * limit if interrupted else limit), steps


# (bucket, seconds the clock moves before the hit, limit)
HITS = st.lists(
    st.tuples(
        st.sampled_from(["key:a", "person:b", "address:c"]),
        st.sampled_from([0, 0, 0, 1, 29, WINDOW_SECONDS]),
        st.integers(min_value=0, max_value=4),
    ),
    max_size=40,
)


@pytest.mark.parametrize("hits", drawn(HITS, 100))
async def test_a_hit_counted_at_once_decides_as_an_awaited_one(hits: list[tuple[str, int, int]]) -> None:
    # given: two limiters counting in this process, on one clock
    clock = [1_000_000.0]
    now, awaited = (
        RateLimiter(InProcessCounter(), lambda: clock[0]),
        RateLimiter(InProcessCounter(), lambda: clock[0]),
    )
    for bucket, seconds, limit in hits:
        clock[0] += seconds
        # when / then: each hit decides the same, counted at once or awaited
        assert now.hit_now(bucket, limit) == await awaited.hit(bucket, limit)
    # and a limiter with Redis leaves the decision to the awaited hit
    shared = rate_limiter("redis://127.0.0.1:1")
    assert shared.hit_now("key:a", 1) is None
    await shared.close()
