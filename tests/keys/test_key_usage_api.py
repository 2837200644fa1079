"""`ApiKey.usage(since, until, interval)`: every bucket of the period with its counts by outcome, for
whoever sees the key (and a key with KEYS_READ), in one statement for a page of keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from db.pool import Connection
from tests import factories
from tests.conftest import ClientFactory, StatementLog
from tests.drawn import drawn
from tests.keys import Clock, admin, key_gid, new_carrier, post

NOW = datetime(2026, 6, 3, 12, 20, tzinfo=UTC)
USAGE = """query ($id: ID!, $since: DateTime!, $until: DateTime, $interval: ApiKeyUsageInterval!) {
  apiKey(id: $id) {
    usage(since: $since, until: $until, interval: $interval) { start served refused counts { outcome count } }
  }
}"""
PAGE = """query ($code: String!, $since: DateTime!) { carrier(code: $code) {
  apiKeys(first: 50) { nodes { hint usage(since: $since) { start served refused } } }
} }"""


async def seed(conn: Connection, key_id: uuid.UUID, counts: list[tuple[datetime, str, int]]) -> None:
    await conn.executemany(
        "insert into api_key_usage (key_id, hour, outcome, uses) values ($1, $2, $3, $4)",
        [(key_id, hour, outcome, uses) for hour, outcome, uses in counts],
    )


async def usage(
    client: TestClient[Any, Any], key_id: uuid.UUID, headers: dict[str, str], **arguments: str
) -> Any:
    variables = {"id": key_gid(key_id), "interval": "DAY", **arguments}
    reply = await post(client, USAGE, variables, headers)
    return reply.body


async def test_days_and_hours_with_counts_by_outcome(make_client: ClientFactory, conn: Connection) -> None:
    # given: uses over two days, served and refused
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    yesterday_9 = datetime(2026, 6, 2, 9, tzinfo=UTC)
    today_11 = datetime(2026, 6, 3, 11, tzinfo=UTC)
    await seed(
        conn,
        key_id,
        [
            (yesterday_9, "SERVED", 40),
            (yesterday_9 + timedelta(hours=3), "SERVED", 2),
            (yesterday_9, "RATE_LIMITED", 5),
            (today_11, "SERVED", 7),
            (today_11, "REVOKED", 1),
        ],
    )
    who = admin(carrier.code, at=NOW)

    # when: by the day, for three days ending now
    body = await usage(client, key_id, who, since="2026-06-01T00:00:00Z")

    # then: every day, the empty one too
    assert body["data"]["apiKey"]["usage"] == [
        {"start": "2026-06-01T00:00:00+00:00", "served": 0, "refused": 0, "counts": []},
        {
            "start": "2026-06-02T00:00:00+00:00",
            "served": 42,
            "refused": 5,
            "counts": [{"outcome": "RATE_LIMITED", "count": 5}, {"outcome": "SERVED", "count": 42}],
        },
        {
            "start": "2026-06-03T00:00:00+00:00",
            "served": 7,
            "refused": 1,
            "counts": [{"outcome": "REVOKED", "count": 1}, {"outcome": "SERVED", "count": 7}],
        },
    ]

    # when: by the hour, 10:00 to 12:00 today
    body = await usage(
        client, key_id, who, since="2026-06-03T10:30:00Z", until="2026-06-03T12:00:00Z", interval="HOUR"
    )
    hours = body["data"]["apiKey"]["usage"]
    assert [(h["start"][11:16], h["served"], h["refused"]) for h in hours] == [
        ("10:00", 0, 0),
        ("11:00", 7, 1),
        ("12:00", 0, 0),
    ]


async def test_another_carriers_admin_sees_no_key_and_a_key_needs_keys_read(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    await seed(conn, key_id, [(datetime(2026, 6, 3, 8, tzinfo=UTC), "SERVED", 3)])
    since = "2026-06-03T00:00:00Z"

    other = await new_carrier(conn)
    assert (await usage(client, key_id, admin(other.code, at=NOW), since=since))["data"]["apiKey"] is None

    _, reader = await factories.api_key(conn, carrier.id, scopes=("keys:read",))
    seen = await usage(client, key_id, factories.bearer(reader), since=since)
    assert seen["data"]["apiKey"]["usage"][0]["served"] == 3

    _, blind = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))
    refused = await usage(client, key_id, factories.bearer(blind), since=since)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_too_many_buckets_and_an_empty_period_are_refused(
    make_client: ClientFactory, conn: Connection
) -> None:
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    who = admin(carrier.code, at=NOW)

    long = await usage(client, key_id, who, since="2026-01-01T00:00:00Z", interval="HOUR")
    assert long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    backwards = await usage(client, key_id, who, since="2026-06-03T00:00:00Z", until="2026-06-01T00:00:00Z")
    assert backwards["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_page_of_keys_reads_its_usage_in_one_statement(
    make_client: ClientFactory, conn: Connection, sql_log: StatementLog
) -> None:
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    for n in range(12):
        key_id, _ = await factories.api_key(conn, carrier.id)
        await seed(conn, key_id, [(datetime(2026, 6, 2, n, tzinfo=UTC), "SERVED", n + 1)])
    variables = {"code": carrier.code, "since": "2026-05-04T00:00:00Z"}
    await post(client, PAGE, variables, admin(carrier.code, at=NOW))  # asyncpg learns the types
    await sql_log.count()
    sql_log.clear()

    reply = await post(client, PAGE, variables, admin(carrier.code, at=NOW))

    nodes = reply.body["data"]["carrier"]["apiKeys"]["nodes"]
    assert sorted(sum(b["served"] for b in node["usage"]) for node in nodes) == list(range(1, 13))
    assert all(len(node["usage"]) == 31 for node in nodes)
    await sql_log.count()
    assert len([q for q in sql_log.queries if "api_key_usage" in q]) == 1


async def test_generated_periods_get_buckets_or_a_typed_refusal(
    make_client: ClientFactory, conn: Connection
) -> None:
    # given: a key, and periods drawn across the whole calendar, in zones that may move them past its
    # ends, without a zone, in hours and days
    client = await make_client(now=Clock(NOW))
    carrier = await new_carrier(conn)
    key_id, _ = await factories.api_key(conn, carrier.id)
    zones = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12)), None])
    times = st.datetimes(timezones=zones).map(datetime.isoformat) | st.sampled_from(
        ["0001-01-01T00:00:00+14:00", "9999-12-31T23:30:00Z", "9999-12-31T20:00:00-12:00"]
    )
    periods = st.fixed_dictionaries(
        {"since": times, "interval": st.sampled_from(["DAY", "HOUR"])}, optional={"until": times}
    )
    answers = []
    for period in drawn(periods, 80):
        # when
        body = await usage(client, key_id, admin(carrier.code, at=NOW), **period)
        # then: buckets, or BAD_USER_INPUT naming since or until; never an error without a code
        for error in body.get("errors") or []:
            answers.append((period, error["extensions"].get("code"), error["extensions"].get("argument")))
        if not body.get("errors"):
            assert isinstance(body["data"]["apiKey"]["usage"], list)
    typed = {("BAD_USER_INPUT", "since"), ("BAD_USER_INPUT", "until")}
    assert [answer for answer in answers if answer[1:] not in typed] == []
    assert answers  # the drawn periods do reach the refusals
