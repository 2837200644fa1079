"""API keys over HTTP: which keys authenticate, and how each refused one is answered."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from access import keyformat
from access.addresses import client_address, parse_networks
from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory, StatementLog
from tests.factories import bearer
from web.authentication import INVALID_KEY
from web.callers import forwarded_for

VIEWER = "{ viewer { kind id name scopes } }"
CARRIERS = "{ carriers { totalCount nodes { code } } }"
ALLOWLIST = ("203.0.113.0/24", "2001:db8::/32")
PROXY = "127.0.0.1/32"  # the test client's own address: it may then speak for others


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str]


async def send(
    client: TestClient[Any, Any],
    headers: Mapping[str, str],
    *,
    query: str = VIEWER,
    params: Mapping[str, str] | None = None,
) -> Reply:
    response = await client.post(
        "/graphql", json={"query": query}, headers=dict(headers), params=dict(params or {})
    )
    body: dict[str, Any] = await response.json()
    return Reply(response.status, body, response.headers)


def refusal(message: str, code: str, request_id: str) -> dict[str, Any]:
    """The whole body of a refused request: no data, one error."""
    return {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]}


@dataclass(frozen=True)
class Key:
    id: uuid.UUID
    secret: str
    carrier_code: str


async def make_key(
    conn: Connection,
    *,
    scopes: Sequence[str] = ("carrier:read",),
    allowlist: Sequence[str] = (),
    expires_at: datetime | None = None,
    revoked: bool = False,
    created_at: datetime | None = None,
    description: str = "Warehouse integration",
) -> Key:
    code = factories.unique_code("K")
    carrier_id = await factories.carrier(conn, code)
    key_id, secret = await factories.api_key(
        conn,
        carrier_id,
        scopes=scopes,
        allowlist=allowlist,
        expires_at=expires_at,
        revoked=revoked,
        created_at=created_at,
        description=description,
    )
    return Key(key_id, secret, code)


async def start_counting(sql_log: StatementLog) -> None:
    """Empty the statement log; the test's own setup statements are logged late (call_soon), so
    let them arrive first."""
    await sql_log.count()
    sql_log.clear()


def one_character_changed(secret: str) -> str:
    """The key with one body character replaced: the checksum no longer matches."""
    position = len("cak_test_") + 5
    replacement = "A" if secret[position] != "A" else "B"
    return secret[:position] + replacement + secret[position + 1 :]


# --- keys that work ------------------------------------------------------------------------------


async def test_a_valid_key_authenticates_as_its_integration(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    key = await make_key(conn, scopes=("carrier:read", "keys:read"), description="ERP integration")

    reply = await send(client, bearer(key.secret))

    assert reply.status == 200
    assert reply.body == {
        "data": {
            "viewer": {
                "kind": "API_KEY",
                "id": str(key.id),
                "name": "ERP integration",
                "scopes": ["CARRIER_READ", "KEYS_READ"],
            }
        }
    }


async def test_a_key_reaches_only_its_own_carrier(client: TestClient[Any, Any], conn: Connection) -> None:
    key = await make_key(conn)
    await factories.carrier(conn)  # another tenant

    reply = await send(client, bearer(key.secret), query=CARRIERS)

    assert reply.body == {"data": {"carriers": {"totalCount": 1, "nodes": [{"code": key.carrier_code}]}}}


async def test_the_bearer_scheme_is_case_insensitive(client: TestClient[Any, Any], conn: Connection) -> None:
    key = await make_key(conn)

    reply = await send(client, {"Authorization": f"bearer  {key.secret}"})

    assert reply.body["data"]["viewer"]["kind"] == "API_KEY"


# --- keys that are refused -----------------------------------------------------------------------


async def test_a_key_with_a_bad_checksum_is_refused_without_touching_the_database(
    client: TestClient[Any, Any], conn: Connection, sql_log: StatementLog
) -> None:
    # given
    key = await make_key(conn)
    mistyped = one_character_changed(key.secret)
    assert keyformat.parse(mistyped) is None
    await start_counting(sql_log)

    # when
    reply = await send(client, {**bearer(mistyped), "X-Request-Id": "req-checksum"})

    # then
    assert reply.status == 401
    assert reply.body == refusal(INVALID_KEY, "UNAUTHENTICATED", "req-checksum")
    assert reply.body["errors"][0]["message"] == "Invalid API key."
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="carrier-admin"'
    assert reply.headers["X-Request-Id"] == "req-checksum"
    assert await sql_log.count() == 0, sql_log.queries


async def test_the_statement_log_sees_a_valid_key_lookup(
    client: TestClient[Any, Any], conn: Connection, sql_log: StatementLog
) -> None:
    # The control for the test above: a well-formed key is looked up, and the log shows it.
    key = await make_key(conn)
    await start_counting(sql_log)

    reply = await send(client, bearer(key.secret))

    assert reply.status == 200
    assert await sql_log.count() >= 1


@pytest.mark.parametrize(
    "malformed",
    [
        "cak_test_short",
        "cak_prod_" + "A" * 49,
        "cak_test_" + "A" * 48,  # one character short
        "cak_test_" + "A" * 50,  # one character long
        "cak_test_" + "!" * 49,
    ],
    ids=["short", "unknown-environment", "one-short", "one-long", "bad-alphabet"],
)
async def test_a_malformed_key_is_refused_without_touching_the_database(
    client: TestClient[Any, Any], sql_log: StatementLog, malformed: str
) -> None:
    await start_counting(sql_log)

    reply = await send(client, {**bearer(malformed), "X-Request-Id": "req-malformed"})

    assert reply.status == 401
    assert reply.body == refusal(INVALID_KEY, "UNAUTHENTICATED", "req-malformed")
    assert await sql_log.count() == 0, sql_log.queries


async def test_an_unknown_key_gets_exactly_the_answer_of_a_malformed_one(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: a well-formed key (valid checksum) that was never stored, and a mistyped real one
    key = await make_key(conn)
    never_stored = keyformat.generate("test").secret
    assert keyformat.parse(never_stored) is not None

    # when
    unknown = await send(client, {**bearer(never_stored), "X-Request-Id": "same"})
    malformed = await send(client, {**bearer(one_character_changed(key.secret)), "X-Request-Id": "same"})

    # then
    assert unknown.status == malformed.status == 401
    assert unknown.body == malformed.body == refusal("Invalid API key.", "UNAUTHENTICATED", "same")
    assert unknown.headers["WWW-Authenticate"] == malformed.headers["WWW-Authenticate"]


async def test_a_revoked_key_is_refused(client: TestClient[Any, Any], conn: Connection) -> None:
    key = await make_key(conn, revoked=True)

    reply = await send(client, {**bearer(key.secret), "X-Request-Id": "req-revoked"})

    assert reply.status == 401
    (error,) = reply.body["errors"]
    assert "data" not in reply.body
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "req-revoked"}
    assert "revoked" in error["message"]
    assert keyformat.hint(key.secret) in error["message"]
    assert key.secret not in error["message"]


async def test_an_expired_key_is_refused(client: TestClient[Any, Any], conn: Connection) -> None:
    now = datetime.now(UTC)
    key = await make_key(conn, created_at=now - timedelta(days=30), expires_at=now - timedelta(days=1))

    reply = await send(client, {**bearer(key.secret), "X-Request-Id": "req-expired"})

    assert reply.status == 401
    (error,) = reply.body["errors"]
    assert "data" not in reply.body
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "req-expired"}
    assert "expired" in error["message"]


async def test_expiry_is_judged_by_the_apps_clock(make_client: ClientFactory, conn: Connection) -> None:
    # given: a key that expires at E, while PostgreSQL's clock says it is years before E
    expires = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
    key = await make_key(conn, created_at=expires - timedelta(days=90), expires_at=expires)
    just_before = await make_client(now=lambda: expires - timedelta(seconds=1))
    just_after = await make_client(now=lambda: expires + timedelta(seconds=1))

    # when
    before = await send(just_before, bearer(key.secret))
    after = await send(just_after, bearer(key.secret))

    # then
    assert before.status == 200
    assert before.body["data"]["viewer"]["kind"] == "API_KEY"
    assert after.status == 401
    assert "expired" in after.body["errors"][0]["message"]


async def test_a_key_past_its_expiry_by_the_database_clock_works_while_the_apps_clock_is_earlier(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: expired by now(), but not by the injected clock
    expires = datetime(2020, 1, 1, tzinfo=UTC)
    key = await make_key(conn, created_at=expires - timedelta(days=10), expires_at=expires)
    client = await make_client(now=lambda: expires - timedelta(seconds=1))

    # when
    reply = await send(client, bearer(key.secret))

    # then
    assert reply.status == 200
    assert reply.body["data"]["viewer"]["kind"] == "API_KEY"


# --- IP allowlists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "203.0.113.0",
        "203.0.113.255",
        "2001:db8::",
        "2001:db8:ffff::1",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "::ffff:203.0.113.9",  # an IPv4 client as an IPv6 socket reports it
    ],
)
async def test_a_key_works_from_an_address_in_its_allowlist(
    make_client: ClientFactory, conn: Connection, address: str
) -> None:
    key = await make_key(conn, allowlist=ALLOWLIST)
    client = await make_client(trusted_proxies=PROXY)

    reply = await send(client, {**bearer(key.secret), "X-Forwarded-For": address})

    assert reply.status == 200, reply.body
    assert reply.body["data"]["viewer"]["kind"] == "API_KEY"


@pytest.mark.parametrize(
    "address",
    ["203.0.114.0", "203.0.112.255", "198.51.100.7", "2001:db9::1", "2001:db7:ffff::1", "::1"],
)
async def test_a_key_is_forbidden_from_an_address_outside_its_allowlist(
    make_client: ClientFactory, conn: Connection, address: str
) -> None:
    key = await make_key(conn, allowlist=ALLOWLIST)
    client = await make_client(trusted_proxies=PROXY)

    reply = await send(client, {**bearer(key.secret), "X-Forwarded-For": address, "X-Request-Id": "req-ip"})

    assert reply.status == 403
    (error,) = reply.body["errors"]
    assert "data" not in reply.body
    assert error["extensions"] == {"code": "FORBIDDEN", "requestId": "req-ip"}
    assert "allowlist" in error["message"]
    assert address in error["message"]


async def test_the_nearest_untrusted_hop_is_the_client(make_client: ClientFactory, conn: Connection) -> None:
    # A client may put anything at the left of X-Forwarded-For; only what trusted proxies add counts.
    key = await make_key(conn, allowlist=["203.0.113.0/24"])
    client = await make_client(trusted_proxies=PROXY)

    forged = await send(client, {**bearer(key.secret), "X-Forwarded-For": "203.0.113.5, 198.51.100.7"})
    honest = await send(client, {**bearer(key.secret), "X-Forwarded-For": "198.51.100.7, 203.0.113.5"})

    assert forged.status == 403
    assert honest.status == 200


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: default settings, so no proxy is trusted and the peer (127.0.0.1) is the client
    key = await make_key(conn, allowlist=["203.0.113.0/24"])

    # when
    reply = await send(client, {**bearer(key.secret), "X-Forwarded-For": "203.0.113.5"})

    # then
    assert reply.status == 403
    assert reply.body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "127.0.0.1" in reply.body["errors"][0]["message"]


async def test_a_key_without_an_allowlist_works_from_anywhere(
    make_client: ClientFactory, conn: Connection
) -> None:
    key = await make_key(conn)
    client = await make_client(trusted_proxies=PROXY)

    for address in ("198.51.100.7", "2001:db9::1"):
        reply = await send(client, {**bearer(key.secret), "X-Forwarded-For": address})
        assert reply.status == 200, address


# --- credentials in the URL ----------------------------------------------------------------------


KEY = "<key>"  # replaced by the real key in the query parameters below
URL_PARAMETERS = {
    "api_key": {"api_key": KEY},
    "apiKey": {"apiKey": KEY},
    "token": {"token": KEY},
    "access_token": {"access_token": KEY},
    "any name": {"q": KEY},
    "inside a value": {"variables": f'{{"key": "{KEY}"}}'},
    "as the parameter name": {KEY: ""},
}


@pytest.mark.parametrize("where", list(URL_PARAMETERS))
async def test_a_key_in_the_query_string_is_refused_even_with_a_valid_header(
    client: TestClient[Any, Any], conn: Connection, where: str
) -> None:
    # given
    key = await make_key(conn)
    params = {
        name.replace(KEY, key.secret): value.replace(KEY, key.secret)
        for name, value in URL_PARAMETERS[where].items()
    }

    # when
    reply = await send(client, {**bearer(key.secret), "X-Request-Id": "req-url"}, params=params)

    # then
    assert reply.status == 401, reply.body
    assert reply.body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "req-url"}


async def test_a_key_in_the_query_string_alone_is_refused(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    key = await make_key(conn)

    reply = await send(client, {"X-Request-Id": "req-url"}, params={"api_key": key.secret})

    assert reply.status == 401
    (error,) = reply.body["errors"]
    assert "data" not in reply.body
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "req-url"}
    assert "URL" in error["message"]
    assert "rotate" in error["message"]


async def test_a_key_in_the_url_of_a_get_request_is_refused(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    key = await make_key(conn)

    response = await client.get("/graphql", params={"query": VIEWER, "api_key": key.secret})

    assert response.status == 401
    assert (await response.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def send_lines(client: TestClient[Any, Any], secret: str, lines: Sequence[str]) -> int:
    """A request whose X-Forwarded-For arrives as these separate header lines."""
    headers = CIMultiDict([("Authorization", f"Bearer {secret}")])
    for line in lines:
        headers.add("X-Forwarded-For", line)
    response = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
    return response.status


async def test_a_second_header_line_added_by_a_proxy_is_read(
    make_client: ClientFactory, conn: Connection
) -> None:
    # A proxy that appends its own line (HAProxy's `option forwardfor`): the client's forged first line
    # must not decide the address; the line the trusted proxy added does.
    key = await make_key(conn, allowlist=["10.0.0.0/8"])
    client = await make_client(trusted_proxies=PROXY)

    assert await send_lines(client, key.secret, ["10.1.2.3", "198.51.100.7"]) == 403
    assert await send_lines(client, key.secret, ["10.1.2.3, 198.51.100.7"]) == 403
    assert await send_lines(client, key.secret, ["198.51.100.7", "10.1.2.3"]) == 200


HOPS = st.lists(
    st.sampled_from(["10.1.2.3", "198.51.100.7", "203.0.113.9", "127.0.0.1", "2001:db8::7", "garbage"]),
    min_size=1,
    max_size=6,
)


@given(hops=HOPS, cuts=st.lists(st.integers(min_value=0, max_value=6), max_size=4))
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_how_hops_are_split_across_lines_never_changes_the_address(hops: list[str], cuts: list[int]) -> None:
    # The same hops, in one line or cut into several: the same client address.
    lines, start = [], 0
    for cut in sorted({min(c, len(hops)) for c in cuts}):
        if cut > start:
            lines.append(", ".join(hops[start:cut]))
            start = cut
    lines.append(", ".join(hops[start:]))
    request = make_mocked_request(
        "POST", "/graphql", headers=CIMultiDict(("X-Forwarded-For", line) for line in lines)
    )
    proxies = parse_networks(PROXY)
    expected = client_address("127.0.0.1", ", ".join(hops), proxies)
    assert client_address("127.0.0.1", forwarded_for(request), proxies) == expected
