"""Verifying a presented key over HTTP: expiry by the app's clock, allowlist edges (IPv4 and IPv6),
malformed and unknown keys told apart by nothing, and a revocation seen by every server instance."""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from access import keyformat
from db.pool import Connection, PoolDatabase, create_pool
from server import init_app
from tests import factories
from tests.conftest import ClientFactory, StatementLog, make_settings
from tests.keys import (
    REVOKE_API_KEY,
    Carrier,
    Clock,
    days,
    issue,
    mutate,
    new_carrier,
    staff,
    viewer_status,
)
from web.authentication import INVALID_KEY

PROXY = "127.0.0.1/32"  # the test client's own address: trusted, it may speak for the client behind it
SECOND = timedelta(seconds=1)
# These tests fail authentication many times from one address, more than its per-minute limit allows.
FAILURES_ALLOWED = 1000


async def start_counting(sql_log: StatementLog) -> None:
    """Empty the statement log once the test's own statements (logged through call_soon) are in."""
    await sql_log.count()
    sql_log.clear()


# --- expiry --------------------------------------------------------------------------------------


async def test_a_key_works_until_a_second_before_its_expiry(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a key expiring in 30 days
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    expires = clock.at + days(30)
    issued = await issue(client, clock.staff(), carrier, expiresAt=expires.isoformat())

    # when / then: a second before
    clock.set(expires - SECOND)
    assert (await viewer_status(client, issued["secret"])).status == 200

    # a second after
    clock.set(expires + SECOND)
    reply = await viewer_status(client, issued["secret"])
    assert reply.status == 401
    (error,) = reply.body["errors"]
    assert "expired" in error["message"]
    assert issued["apiKey"]["hint"] in error["message"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_key_of_the_default_lifetime_expires_after_90_days(
    make_client: ClientFactory, conn: Connection
) -> None:
    clock = Clock()
    client = await make_client(now=clock)
    carrier = await new_carrier(conn)
    issued = await issue(client, clock.staff(), carrier)
    issued_at = clock.at

    clock.set(issued_at + days(90) - SECOND)
    assert (await viewer_status(client, issued["secret"])).status == 200
    clock.set(issued_at + days(90) + SECOND)
    assert (await viewer_status(client, issued["secret"])).status == 401


# --- the allowlist -------------------------------------------------------------------------------


async def statuses(client: TestClient[Any, Any], secret: str, addresses: list[str]) -> dict[str, int]:
    """The answer's status for a request relayed by the trusted proxy for each address."""
    result = {}
    for address in addresses:
        reply = await viewer_status(client, secret, {"X-Forwarded-For": address})
        result[address] = reply.status
    return result


async def test_ipv4_allowlist_edges(make_client: ClientFactory, conn: Connection) -> None:
    # given
    client = await make_client(trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier, ipAllowlist=["203.0.113.0/24", "198.51.100.7"])
    inside = [
        "203.0.113.0",
        "203.0.113.1",
        "203.0.113.255",
        "198.51.100.7",
        "::ffff:203.0.113.9",  # an IPv4 client seen through a dual-stack socket
        "203.0.113.7:51234",  # a proxy that appends the source port
        "192.0.2.1, 203.0.113.200",  # the nearest untrusted hop is the client
    ]
    outside = [
        "203.0.112.255",
        "203.0.114.0",
        "198.51.100.6",
        "198.51.100.8",
        "::ffff:203.0.114.1",
        "203.0.113.5, 192.0.2.1",  # the allowed address was forged further left
        "2001:db8::1",
    ]

    # when
    result = await statuses(client, issued["secret"], inside + outside)

    # then
    assert result == {**dict.fromkeys(inside, 200), **dict.fromkeys(outside, 403)}


async def test_ipv6_allowlist_edges(make_client: ClientFactory, conn: Connection) -> None:
    # given
    client = await make_client(trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier, ipAllowlist=["2001:db8:1::/48", "2001:db8:ff::5"])
    inside = [
        "2001:db8:1::",
        "2001:db8:1::1",
        "2001:db8:1:ffff:ffff:ffff:ffff:ffff",
        "2001:DB8:1::abcd",
        "2001:db8:ff::5",
        "2001:db8:ff:0:0:0:0:5",
        "[2001:db8:1::1]:443",
    ]
    outside = [
        "2001:db8:0:ffff:ffff:ffff:ffff:ffff",
        "2001:db8:2::",
        "2001:db8:ff::4",
        "2001:db8:ff::6",
        "2001:db9:1::1",
        "203.0.113.1",
    ]

    # when
    result = await statuses(client, issued["secret"], inside + outside)

    # then
    assert result == {**dict.fromkeys(inside, 200), **dict.fromkeys(outside, 403)}


async def test_a_refusal_by_allowlist_names_the_address_but_not_the_allowlist(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    issued = await issue(client, staff(), carrier, ipAllowlist=["203.0.113.0/24"])

    reply = await viewer_status(client, issued["secret"], {"X-Forwarded-For": "2001:db8::7"})

    assert reply.status == 403
    (error,) = reply.body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "2001:db8::7" in error["message"]
    assert issued["apiKey"]["hint"] in error["message"]
    assert "203.0.113" not in error["message"]
    assert reply.body.get("data") is None


async def test_an_unparsable_forwarded_address_counts_as_the_proxy_itself(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(trusted_proxies=PROXY)
    carrier = await new_carrier(conn)
    allowed_proxy = await issue(client, staff(), carrier, ipAllowlist=["127.0.0.1"])
    allowed_client = await issue(client, staff(), carrier, ipAllowlist=["203.0.113.0/24"])

    assert (
        await viewer_status(client, allowed_proxy["secret"], {"X-Forwarded-For": "garbage"})
    ).status == 200
    assert (
        await viewer_status(client, allowed_client["secret"], {"X-Forwarded-For": "garbage"})
    ).status == 403


# --- malformed and unknown keys ------------------------------------------------------------------


def malformed_variants(secret: str) -> list[str]:
    body = secret[len("cak_test_") :]
    return [
        secret[:-1],  # truncated
        secret + "A",  # one character too many
        secret[:20],
        "cak_",
        "cak_test_",
        "cak_prod_" + body,
        "cak_live_" + body,  # right shape, the checksum covers the environment
        "cak_TEST_" + body,
        "cak_test_" + body[:-1] + "-",
        "cak_test_" + "0" * len(body),
        "cak_test_" + body + body,
        "cak_test_" + "A" * 5000,
    ]


async def test_malformed_and_unknown_keys_get_the_identical_answer(
    make_client: ClientFactory, conn: Connection, sql_log: StatementLog
) -> None:
    # given
    client = await make_client(rate_limit_failed_auth_per_address=FAILURES_ALLOWED)
    carrier = await new_carrier(conn)
    _key_id, secret = await factories.api_key(conn, carrier.id)
    request_id = {"X-Request-Id": "same-request-id"}
    unknown = [keyformat.generate("test").secret, keyformat.generate("live").secret]
    await start_counting(sql_log)

    # when
    unknown_replies = [await viewer_status(client, key, request_id) for key in unknown]
    lookups = await sql_log.count()
    sql_log.clear()
    malformed_replies = [await viewer_status(client, key, request_id) for key in malformed_variants(secret)]

    # then
    expected = {
        "errors": [
            {
                "message": INVALID_KEY,
                "extensions": {"code": "UNAUTHENTICATED", "requestId": "same-request-id"},
            }
        ]
    }
    for reply in unknown_replies + malformed_replies:
        assert reply.status == 401
        assert reply.body == expected
        assert reply.text == unknown_replies[0].text
        assert reply.headers["WWW-Authenticate"] == unknown_replies[0].headers["WWW-Authenticate"]
        assert reply.headers["Content-Type"] == unknown_replies[0].headers["Content-Type"]
    assert lookups == len(unknown)  # an unknown key costs one lookup
    assert await sql_log.count() == 0  # a malformed one none


async def test_every_one_character_change_fails_the_checksum_without_sql(
    make_client: ClientFactory, conn: Connection, sql_log: StatementLog
) -> None:
    # given
    client = await make_client(rate_limit_failed_auth_per_address=FAILURES_ALLOWED)
    carrier = await new_carrier(conn)
    _key_id, secret = await factories.api_key(conn, carrier.id)
    alphabet = string.digits + string.ascii_letters
    changed = []
    for position in range(len("cak_"), len(secret)):
        replacement = alphabet[(alphabet.find(secret[position]) + 1 + position) % len(alphabet)]
        assert replacement != secret[position]
        changed.append(secret[:position] + replacement + secret[position + 1 :])
    await start_counting(sql_log)

    # when
    replies = [await viewer_status(client, key) for key in changed]

    # then
    assert len(replies) == len(secret) - len("cak_")
    assert {reply.status for reply in replies} == {401}
    assert {reply.body["errors"][0]["message"] for reply in replies} == {INVALID_KEY}
    assert await sql_log.count() == 0
    # while the key itself works, with one lookup
    assert (await viewer_status(client, secret)).status == 200
    assert await sql_log.count() == 1


async def test_every_key_the_api_issues_authenticates(make_client: ClientFactory, conn: Connection) -> None:
    client = await make_client(max_active_keys_per_carrier=30)
    carrier = await new_carrier(conn)

    secrets = [(await issue(client, staff(), carrier, description=f"Key {i}"))["secret"] for i in range(30)]

    assert len(set(secrets)) == 30
    assert all(keyformat.parse(secret) is not None for secret in secrets)
    assert [(await viewer_status(client, secret)).status for secret in secrets] == [200] * 30


# --- several server instances --------------------------------------------------------------------


async def test_a_revocation_through_one_instance_is_seen_by_another_at_once(own_database: str) -> None:
    # given: a committed carrier and two instances of the app, each with its own pool
    seed = await asyncpg.connect(own_database)
    try:
        code = factories.unique_code("K")
        carrier = Carrier(await factories.carrier(seed, code), code)
    finally:
        await seed.close()
    pools = [
        await create_pool(own_database, min_size=1, max_size=3, statement_timeout_seconds=5) for _ in range(2)
    ]
    try:
        apps = [init_app(make_settings(), database=PoolDatabase(pool)) for pool in pools]
        async with TestClient(TestServer(apps[0])) as one, TestClient(TestServer(apps[1])) as two:
            issued = await issue(one, staff(), carrier)
            assert (await viewer_status(two, issued["secret"])).status == 200

            # when
            revoked = await mutate(one, REVOKE_API_KEY, staff(), id=issued["apiKey"]["id"], reason="Leaked")
            assert revoked["apiKey"]["status"] == "REVOKED"

            # then
            reply = await viewer_status(two, issued["secret"])
            assert reply.status == 401
            assert "revoked" in reply.body["errors"][0]["message"]
    finally:
        for pool in pools:
            await pool.close()
