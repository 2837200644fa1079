"""The CSV export of a carrier's key usage: requests per key, hour and outcome, for one key or all,
within a period; the keys' export's permission (KEYS_READ), its tenant rules, its parameter checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from db.pool import Connection
from resolvers.exports import KEY_USAGE_COLUMNS
from tests import factories
from tests.keys import admin, key_gid, new_carrier
from tests.web.test_exports import export

HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)


async def test_a_carriers_key_usage_by_hour_and_outcome_for_one_key_or_all(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: two keys' counts, one of them 40 days ago
    carrier = await new_carrier(conn)
    first, _ = await factories.api_key(conn, carrier.id, created_at=HOUR - timedelta(days=50))
    second, _ = await factories.api_key(conn, carrier.id, created_at=HOUR - timedelta(days=49))
    await conn.executemany(
        "insert into api_key_usage (key_id, hour, outcome, uses) values ($1, $2, $3, $4)",
        [
            (first, HOUR, "SERVED", 12),
            (first, HOUR, "RATE_LIMITED", 3),
            (second, HOUR + timedelta(hours=1), "SERVED", 7),
            (second, HOUR - timedelta(days=40), "SERVED", 99),
        ],
    )

    # when: the last 30 days (the default), every key
    status, rows, response = await export(client, carrier.gid, "api-key-usage", admin(carrier.code))

    # then
    assert status == 200
    assert f'filename="{carrier.code}-api-key-usage-' in response.headers["Content-Disposition"]
    assert list(rows[0]) == KEY_USAGE_COLUMNS
    assert [(r["api_key_id"], r["hour"], r["outcome"], r["requests"]) for r in rows] == [
        (key_gid(first), HOUR.isoformat(), "RATE_LIMITED", "3"),
        (key_gid(first), HOUR.isoformat(), "SERVED", "12"),
        (key_gid(second), (HOUR + timedelta(hours=1)).isoformat(), "SERVED", "7"),
    ]

    # when: one key, a period of its own
    since = (HOUR - timedelta(days=41)).isoformat()
    response = await client.get(
        f"/export/carriers/{carrier.gid}/api-key-usage.csv",
        params={"apiKeyId": key_gid(second), "since": since},
        headers=admin(carrier.code),
    )
    text = await response.text()
    assert response.status == 200
    assert [line.split(",")[-1] for line in text.strip().splitlines()[1:]] == ["99", "7"]


async def test_refused_without_keys_read_another_tenant_unknown_and_bad_parameters(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier, other = await new_carrier(conn), await new_carrier(conn)
    _, blind = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))
    status, _, body = await export(client, carrier.gid, "api-key-usage", factories.bearer(blind))
    assert (status, body["errors"][0]["extensions"]["requiredScope"]) == (403, "KEYS_READ")
    assert (await export(client, other.gid, "api-key-usage", admin(carrier.code)))[0] == 404
    bad = await client.get(
        f"/export/carriers/{carrier.gid}/api-key-usage.csv",
        params={"interval": "DAY"},
        headers=admin(carrier.code),
    )
    assert bad.status == 400
