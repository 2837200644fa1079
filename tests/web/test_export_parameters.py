"""Every export's query parameters, generated: any text for each gets the CSV or a typed 400 naming a
parameter, never a 500 (times near either end of the calendar, zones that move them past it, no zone,
not a time at all)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import strategies as st

from db.pool import Connection
from tests.drawn import drawn
from tests.keys import admin, new_carrier

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12)), None])
TIMES = st.one_of(
    st.datetimes(timezones=ZONES).map(datetime.isoformat),
    st.sampled_from(["0001-01-01T00:00:00Z", "0001-01-02T00:00:00+00:00", "9999-12-31T23:00:00-12:00"]),
    st.text(max_size=30),
)
TEXT = st.text(max_size=30)
KEY_USAGE = st.fixed_dictionaries({}, optional={"since": TIMES, "until": TIMES, "apiKeyId": TEXT})
ACTIVITY = st.fixed_dictionaries(
    {},
    optional={
        "since": TIMES,
        "until": TIMES,
        "action": TEXT,
        "actorId": TEXT,
        "outcome": st.sampled_from(["SUCCEEDED", "REFUSED"]) | TEXT,
        "includeOrganization": st.sampled_from(["true", "false", "TRUE"]) | TEXT,
    },
)


async def test_generated_export_parameters_get_the_csv_or_a_typed_refusal(
    client: TestClient[Any, Any], conn: Connection
) -> None:
    carrier = await new_carrier(conn)
    answers = []
    for what, strategy in (("api-key-usage", KEY_USAGE), ("activity", ACTIVITY)):
        for params in drawn(strategy, 60):
            response = await client.get(
                f"/export/carriers/{carrier.gid}/{what}.csv", params=params, headers=admin(carrier.code)
            )
            if response.status == 200:
                continue
            error = (await response.json())["errors"][0]["extensions"]
            named = error.get("argument", error.get("field"))
            answers.append((what, params, response.status, error.get("code"), named in params))
    # A refusal names the parameter at fault: a malformed one (400), or a key id that names no key of
    # the carrier (404, as an unknown id is everywhere).
    typed = {(400, "BAD_USER_INPUT", True), (404, "NOT_FOUND", True)}
    assert [answer for answer in answers if answer[2:] not in typed] == []
    assert any(answer[2] == 400 for answer in answers)  # the generated parameters do reach the checks
