"""CSV exports of a carrier's keys and activity: the same sign-in, tenant rules and scopes as GraphQL, no
secret in any cell, spreadsheet formulas defused, and the rows streamed whatever their number."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from db.pool import Connection
from resolvers.exports import ACTIVITY_COLUMNS, API_KEY_COLUMNS
from resolvers.global_ids import to_global_id
from tests import factories
from tests.drawn import drawn
from tests.keys import CREATE_API_KEY, admin, key_gid, key_input, new_carrier, post, staff
from web.exports import FORMULA_STARTS

START = datetime.now(UTC) - timedelta(days=70)


async def export(
    client: TestClient[Any, Any], carrier_gid: str, what: str, headers: dict[str, str]
) -> tuple[int, list[dict[str, str]], Any]:
    response = await client.get(f"/export/carriers/{carrier_gid}/{what}.csv", headers=headers)
    text = await response.text()
    if response.status != 200:
        return response.status, [], await response.json()
    return 200, list(csv.DictReader(io.StringIO(text))), response


async def test_an_administrator_exports_the_keys_of_their_carrier(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    issued = [
        await factories.api_key(conn, carrier.id, description=f"Key {n}", created_at=START + timedelta(n))
        for n in range(3)
    ]

    status, rows, response = await export(client, carrier.gid, "api-keys", admin(carrier.code))

    assert status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f'filename="{carrier.code}-api-keys-' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert list(rows[0]) == API_KEY_COLUMNS
    assert [row["id"] for row in rows] == [key_gid(key_id) for key_id, _ in issued]
    assert [row["description"] for row in rows] == ["Key 0", "Key 1", "Key 2"]
    assert {row["status"] for row in rows} == {"ACTIVE"}
    body = await client.get(f"/export/carriers/{carrier.gid}/api-keys.csv", headers=admin(carrier.code))
    text = await body.text()
    hashes = await conn.fetch("select secret_hash from api_keys where carrier_id = $1", carrier.id)
    for _, secret in issued:
        assert secret not in text
    for record in hashes:
        assert record["secret_hash"].hex() not in text


async def test_another_tenants_carrier_is_not_found_as_a_carrier_that_does_not_exist(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier, other = await new_carrier(conn), await new_carrier(conn)
    await factories.api_key(conn, other.id)

    for what in ("api-keys", "activity"):
        foreign = await export(client, other.gid, what, admin(carrier.code))
        missing = await export(client, "Q2Fycmllcjpub3RoaW5n", what, admin(carrier.code))
        assert foreign[0] == missing[0] == 404
        assert foreign[2]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_export_needs_a_signed_in_caller(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    status, _, body = await export(client, carrier.gid, "api-keys", {})
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    status, _, body = await export(client, carrier.gid, "activity", factories.bearer("ck_test_nonsense"))
    assert status == 401


async def test_a_key_exports_only_what_its_scopes_read(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    _, reader = await factories.api_key(conn, carrier.id, scopes=("carrier:read",))
    _, auditor = await factories.api_key(conn, carrier.id, scopes=("keys:read", "activity:read"))

    for what, scope in (("api-keys", "KEYS_READ"), ("activity", "ACTIVITY_READ")):
        status, _, body = await export(client, carrier.gid, what, factories.bearer(reader))
        assert status == 403
        assert body["errors"][0]["extensions"]["requiredScope"] == scope
        status, rows, _ = await export(client, carrier.gid, what, factories.bearer(auditor))
        assert status == 200
    status, rows, _ = await export(client, carrier.gid, "api-keys", factories.bearer(auditor))
    assert len(rows) == 2


CELLS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=40
)
FORMULAS = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), CELLS)


async def test_no_cell_is_a_spreadsheet_formula(client: TestClient[Any, Any], conn: Connection) -> None:
    # given: keys whose descriptions are generated text, many of them starting like a formula
    carrier = await new_carrier(conn)
    descriptions = drawn(st.one_of(FORMULAS, CELLS), 60)
    for n, description in enumerate(descriptions):
        await factories.api_key(conn, carrier.id, description=description, created_at=START + timedelta(n))

    # when: the keys are exported
    status, rows, _ = await export(client, carrier.gid, "api-keys", staff())

    # then: every description reads back as written, formulas behind an apostrophe
    assert status == 200
    expected = [f"'{d}" if d.startswith(FORMULA_STARTS) else d for d in descriptions]
    assert [row["description"] for row in rows] == expected


async def test_the_activity_export_holds_the_carriers_events_without_secrets(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    created = await post(client, CREATE_API_KEY, {"input": key_input(carrier)}, admin(carrier.code))
    secret = created.body["data"]["createApiKey"]["secret"]

    status, rows, _ = await export(client, carrier.gid, "activity", admin(carrier.code))
    text = await (await client.get(f"/export/carriers/{carrier.gid}/activity.csv", headers=staff())).text()

    assert status == 200
    assert list(rows[0]) == ACTIVITY_COLUMNS
    issued = [row for row in rows if row["action"] == "apiKey.create"]
    assert len(issued) == 1
    assert issued[0]["actor_id"] == "admin-1"
    assert issued[0]["target_id"] == created.body["data"]["createApiKey"]["apiKey"]["id"]
    assert '"description": "ERP integration"' in issued[0]["after"]
    assert secret not in text


async def test_event_contents_need_the_scope_of_what_they_are_about(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: a key event, and a key that reads activity but not keys
    carrier = await new_carrier(conn)
    await post(client, CREATE_API_KEY, {"input": key_input(carrier)}, admin(carrier.code))
    _, auditor = await factories.api_key(conn, carrier.id, scopes=("activity:read",))

    status, rows, _ = await export(client, carrier.gid, "activity", factories.bearer(auditor))

    assert status == 200
    issued = [row for row in rows if row["action"] == "apiKey.create"]
    assert issued[0]["after"] == issued[0]["before"] == ""


async def test_a_large_export_streams_in_chunks(client: TestClient[Any, Any], conn: Connection) -> None:
    carrier = await new_carrier(conn)
    await conn.execute(
        """
        insert into api_keys (carrier_id, description, secret_hash, hint, environment, scopes,
                              created_at, expires_at, created_by_kind, created_by_id)
        select $1, 'bulk ' || n, decode(md5(n::text || $2) || md5($2 || n::text), 'hex'),
               'ck_test_…' || n, 'test', '{carrier:read}',
               now() + n * interval '1 microsecond', now() + interval '90 days', 'system', 'test'
        from generate_series(1, 2500) as n
        """,
        carrier.id,
        carrier.code,
    )

    response = await client.get(f"/export/carriers/{carrier.gid}/api-keys.csv", headers=staff())
    text = await response.text()

    assert response.status == 200
    assert response.headers.get("Transfer-Encoding") == "chunked"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["description"] for row in rows] == [f"bulk {n}" for n in range(1, 2501)]


async def test_the_activity_export_filters_as_the_activity_query_does(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    # given: a carrier's own event and its organization's own event (a setting at organization level)
    organization = await factories.organization(conn)
    carrier_id = await factories.carrier(conn, factories.unique_code("X"), organization_id=organization)
    carrier = to_global_id("Carrier", carrier_id)
    for action, carrier_of_event in (("carrier.update", carrier_id), ("organization.rename", None)):
        await conn.execute(
            """insert into activity_log
                   (actor_kind, actor_id, actor_is_staff, action, carrier_id, organization_id)
               values ('system', 'test', true, $1, $2, $3)""",
            action,
            carrier_of_event,
            organization,
        )
    staff_headers = staff()

    async def actions(query: str) -> list[str]:
        response = await client.get(f"/export/carriers/{carrier}/activity.csv{query}", headers=staff_headers)
        assert response.status == 200, await response.text()
        return [row["action"] for row in csv.DictReader(io.StringIO(await response.text()))]

    # then: both by default, as activity(carrierId:) lists them; the carrier's alone when asked
    assert sorted(await actions("")) == ["carrier.update", "organization.rename"]
    assert await actions("?includeOrganization=false") == ["carrier.update"]
    assert await actions("?action=organization.rename") == ["organization.rename"]
    assert await actions("?outcome=REFUSED") == []
    assert await actions("?since=2999-01-01T00:00:00Z") == []


BAD_PARAMETERS = st.dictionaries(
    st.sampled_from(["includeOrganization", "outcome", "since", "until", "action", "actorId", "page", "x"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    min_size=1,
    max_size=3,
)


async def test_any_parameters_are_answered_or_refused_naming_the_parameter(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    for parameters in drawn(BAD_PARAMETERS, 40):
        response = await client.get(
            f"/export/carriers/{carrier.gid}/activity.csv", params=parameters, headers=staff()
        )
        if response.status == 200:
            continue
        body = await response.json()
        assert response.status == 400, body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["argument"] in parameters
