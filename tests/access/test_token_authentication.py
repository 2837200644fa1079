"""People's tokens over HTTP: good tokens sign a person in, every bad one is a 401 with no data."""

from __future__ import annotations

import base64
import json
import time
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient
from jwt.warnings import InsecureKeyLengthWarning

from db.pool import Connection
from tests import factories
from tests.conftest import TEST_SECRET, ClientFactory
from tests.factories import bearer

ISSUER = "carrier-admin-dev"
AUDIENCE = "carrier-admin"
OTHER_SECRET = "some-other-secret-that-is-also-long-enough-0123456789"
VIEWER = "{ viewer { kind id name email isStaff } }"
ABSENT = object()  # a claim left out of the token


def claims(**overrides: object) -> dict[str, Any]:
    """A valid person's claims, changed by `overrides` (ABSENT removes a claim)."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "person-7",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "name": "Pat Person",
        "email": "pat@carrier.test",
        "staff": False,
        "carriers": [],
        "organizations": [],
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not ABSENT}


def mint(secret: str = TEST_SECRET, algorithm: str = "HS256", **overrides: object) -> str:
    with warnings.catch_warnings():
        # HS512 with the (HS256-sized) test secret: PyJWT warns, and the server must refuse it anyway.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims(**overrides), secret, algorithm=algorithm)


def _b64_bytes(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64(data: dict[str, Any]) -> str:
    return _b64_bytes(json.dumps(data).encode())


def with_payload(token: str, **overrides: object) -> str:
    """The token with its payload changed and its original signature kept."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded.update(overrides)
    return f"{header}.{_b64(decoded)}.{signature}"


def unsigned(algorithm: str) -> str:
    return f"{_b64({'alg': algorithm, 'typ': 'JWT'})}.{_b64(claims(staff=True))}."


async def send(client: TestClient[Any, Any], headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    response = await client.post("/graphql", json={"query": VIEWER}, headers=dict(headers))
    body: dict[str, Any] = await response.json()
    if response.status == 401:
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="carrier-admin"'
    return response.status, body


def refused(message: str, request_id: str = "req-token") -> dict[str, Any]:
    return {
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED", "requestId": request_id}}]
    }


# --- good tokens ---------------------------------------------------------------------------------


async def test_a_valid_token_signs_a_person_in(client: TestClient[Any, Any]) -> None:
    status, body = await send(client, bearer(mint()))

    assert status == 200
    assert body == {
        "data": {
            "viewer": {
                "kind": "ADMIN",
                "id": "person-7",
                "name": "Pat Person",
                "email": "pat@carrier.test",
                "isStaff": False,
            }
        }
    }


async def test_a_staff_token_signs_staff_in(client: TestClient[Any, Any]) -> None:
    status, body = await send(client, bearer(mint(staff=True)))

    assert status == 200
    assert body["data"]["viewer"]["kind"] == "STAFF"
    assert body["data"]["viewer"]["isStaff"] is True


async def test_an_administrators_carrier_codes_are_read_from_the_token(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    code = factories.unique_code("P")
    await factories.carrier(conn, code)
    await factories.carrier(conn)  # not theirs

    response = await client.post(
        "/graphql",
        json={"query": "{ carriers { nodes { code } } }"},
        headers=bearer(mint(carriers=[code.lower()])),
    )

    assert await response.json() == {"data": {"carriers": {"nodes": [{"code": code}]}}}


@pytest.mark.parametrize(
    ("claim", "offset"),
    [("exp", -10), ("nbf", 10), ("iat", 10)],
    ids=["expired-within-leeway", "nbf-within-leeway", "iat-within-leeway"],
)
async def test_clock_skew_within_the_leeway_is_tolerated(
    client: TestClient[Any, Any], claim: str, offset: int
) -> None:
    token = jwt.encode(claims(**{claim: int(time.time()) + offset}), TEST_SECRET, algorithm="HS256")

    status, body = await send(client, bearer(token))

    assert status == 200, body
    assert body["data"]["viewer"]["kind"] == "ADMIN"


# --- bad tokens ----------------------------------------------------------------------------------

BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "expired": (lambda: mint(exp=int(time.time()) - 60, iat=int(time.time()) - 3600), "token expired"),
    "not yet valid (nbf)": (lambda: mint(nbf=int(time.time()) + 120), "token not yet valid"),
    "issued in the future (iat)": (lambda: mint(iat=int(time.time()) + 120), "token not yet valid"),
    "without exp": (lambda: mint(exp=ABSENT), "claims invalid"),
    "wrong issuer": (lambda: mint(iss="https://evil.example"), "wrong issuer"),
    "without issuer": (lambda: mint(iss=ABSENT), "wrong issuer"),
    "wrong audience": (lambda: mint(aud="another-api"), "wrong audience"),
    "without audience": (lambda: mint(aud=ABSENT), "wrong audience"),
    "wrong signature": (lambda: mint(OTHER_SECRET), "bad signature"),
    "payload changed after signing": (lambda: with_payload(mint(), staff=True), "bad signature"),
    "signature stripped": (lambda: mint().rsplit(".", 1)[0] + ".", "bad signature"),
    "alg none": (lambda: jwt.encode(claims(staff=True), "", algorithm="none"), "unsupported algorithm"),
    "alg none, hand made": (lambda: unsigned("none"), "unsupported algorithm"),
    "alg NONE": (lambda: unsigned("NONE"), "unsupported algorithm"),
    "HS512": (lambda: mint(algorithm="HS512"), "unsupported algorithm"),
    "staff claim as a string": (lambda: mint(staff="true"), "claims invalid"),
    "empty subject": (lambda: mint(sub=" "), "claims invalid"),
    "organizations not uuids": (lambda: mint(organizations=["acme"]), "claims invalid"),
    "malformed segments": (lambda: "abc.def.ghi", "malformed token"),
    "header not json": (lambda: f"{_b64_bytes(b'not json')}.e30.c2ln", "malformed token"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_bad_token_is_refused(client: TestClient[Any, Any], case: str) -> None:
    make, reason = BAD_TOKENS[case]

    status, body = await send(client, {**bearer(make()), "X-Request-Id": "req-token"})

    assert status == 401
    assert body == refused(f"Invalid token: {reason}.")


@pytest.mark.parametrize(
    "credential",
    ["not-a-token", "a.b", "a.b.c.d", "a.b!.c"],
    ids=["word", "two-segments", "four-segments", "not-base64url"],
)
async def test_a_credential_that_is_neither_key_nor_token_is_refused(
    client: TestClient[Any, Any], credential: str
) -> None:
    status, body = await send(client, {**bearer(credential), "X-Request-Id": "req-token"})

    assert status == 401
    assert body == refused("The bearer credential is neither an API key nor a token.")


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNzd29yZA==",
        "Token abc.def.ghi",
        "Digest username=x",
        "Bearer",
        "Bearer    ",
        "{token}",  # a token with no scheme at all
        "Basic {token}",  # a good token behind the wrong scheme
    ],
)
async def test_only_the_bearer_scheme_is_accepted(client: TestClient[Any, Any], authorization: str) -> None:
    status, body = await send(
        client, {"Authorization": authorization.format(token=mint()), "X-Request-Id": "req-token"}
    )

    assert status == 401
    assert body == refused("Use `Authorization: Bearer <API key or token>`.")


async def test_an_empty_authorization_header_is_anonymous(client: TestClient[Any, Any]) -> None:
    status, body = await send(client, {"Authorization": "  "})

    assert status == 200
    assert body["data"]["viewer"]["kind"] == "ANONYMOUS"


async def test_a_token_in_the_query_string_is_refused(client: TestClient[Any, Any]) -> None:
    token = mint()

    response = await client.post(
        "/graphql", json={"query": VIEWER}, params={"access_token": token}, headers=bearer(token)
    )

    assert response.status == 401
    assert (await response.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_refusal_carries_a_generated_request_id_when_none_was_sent(
    client: TestClient[Any, Any],
) -> None:
    response = await client.post("/graphql", json={"query": VIEWER}, headers=bearer(mint(OTHER_SECRET)))

    body = await response.json()
    request_id = response.headers["X-Request-Id"]
    assert request_id
    assert body == refused("Invalid token: bad signature.", request_id)


async def test_token_expiry_is_judged_by_the_apps_clock(make_client: ClientFactory) -> None:
    # given: a token valid for an hour by the wall clock, and an app whose clock is a day later
    token = mint()
    later = await make_client(now=lambda: datetime.now(UTC) + timedelta(days=1))

    # when
    status, body = await send(later, {**bearer(token), "X-Request-Id": "req-token"})

    # then: init_app's `now` is "the clock every expiry is judged by", tokens' included
    assert status == 401, body
    assert body == refused("Invalid token: token expired.")


@pytest.mark.parametrize("expires", [2**40, 1e18, 1.7e308], ids=["year 36812", "1e18", "near float max"])
async def test_a_token_expiring_beyond_any_calendar_still_signs_in(
    client: TestClient[Any, Any], expires: float
) -> None:
    """An issuer may sign an `exp` no date can hold: the person is signed in, never a 500."""
    status, body = await send(client, bearer(mint(exp=expires)))
    assert status == 200, body
    assert body["data"]["viewer"]["name"] == "Pat Person"
