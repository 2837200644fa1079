"""The request context: a mutation's change and its activity row go together."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import strategies as st

from context import NothingRecorded
from db.activity import Event
from db.pool import Connection
from tests.conftest import staff_context
from tests.drawn import drawn

NOW = datetime(2026, 12, 5, tzinfo=UTC)
NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
)


async def organizations(conn: Connection) -> int:
    count: int = await conn.fetchval("select count(*) from organizations")
    return count


async def test_a_change_that_records_nothing_is_rolled_back(conn: Connection) -> None:
    context = staff_context(conn, NOW)
    before = await organizations(conn)
    for name in drawn(NAMES, 5):
        with pytest.raises(NothingRecorded):
            async with context.changing() as change:
                await change.conn.execute("insert into organizations (name) values ($1)", name)
    assert await organizations(conn) == before


async def test_a_change_commits_with_its_row_written_with_the_requests_origin(conn: Connection) -> None:
    context = staff_context(conn, NOW)
    async with context.changing() as change:
        organization = await change.conn.fetchval(
            "insert into organizations (name) values ('Recorded Group') returning id"
        )
        await change.record(
            Event(action="organization.create", target_type="Organization", target_id=organization)
        )
    row = await conn.fetchrow("select * from activity_log where target_id = $1", organization)
    assert row is not None
    assert (row["actor_kind"], row["actor_id"], row["request_id"]) == ("staff", "schema-test", "t")


async def test_nothing_to_do_is_said_and_owes_no_row(conn: Connection) -> None:
    context = staff_context(conn, NOW)
    async with context.changing() as change:
        change.unchanged()
    assert await conn.fetchval("select count(*) from activity_log where request_id = 't'") == 0
