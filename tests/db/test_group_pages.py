"""A many-parents page statement's records split into each parent's page (db/pagination.group_pages),
over real asyncpg records and generated shapes: parents with no rows, pages cut short or not, a parent's
rows in two runs, parents in any order."""

from __future__ import annotations

import uuid
from random import Random
from typing import Any

from hypothesis import strategies as st

from db.pagination import Page, PageRequest, group_pages, to_page
from tests.drawn import drawn

# One parent: how many rows its lateral page returned, and at which of them (if any) its run is cut
# for another parent's rows to come in between.
PARENT = st.tuples(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=7))
SHAPES = drawn(
    st.tuples(
        st.lists(PARENT, min_size=1, max_size=6),
        st.integers(min_value=1, max_value=5),  # the page's limit
        st.booleans(),  # read backward (`last`)
        st.integers(min_value=0, max_value=2**32),  # how the runs are shuffled
    ),
    80,
)

RECORDS = """
select * from unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::int[]) as r(parent_id, total, id, n)
"""


def expected(
    records: list[Any], parent_ids: list[uuid.UUID], page: PageRequest
) -> dict[uuid.UUID, Page[Any]]:
    """Record by record: each row to its parent's page, in order."""
    rows: dict[uuid.UUID, list[Any]] = {parent: [] for parent in parent_ids}
    totals = dict.fromkeys(parent_ids, 0)
    for record in records:
        totals[record["parent_id"]] = record["total"]
        if record["id"] is not None:
            rows[record["parent_id"]].append(record["n"])
    return {parent: to_page(rows[parent], page, totals[parent]) for parent in parent_ids}


async def test_records_split_into_the_pages_of_their_parents_whatever_their_runs(conn: Any) -> None:
    for parents, limit, backward, seed in SHAPES:
        # given: each parent's rows (a null row for none), some parents' rows in two runs, in any order
        ids = [uuid.uuid4() for _ in parents]
        runs: list[list[tuple[uuid.UUID, int, uuid.UUID | None, int]]] = []
        for parent, (count, cut) in zip(ids, parents, strict=True):
            rows: list[tuple[uuid.UUID, int, uuid.UUID | None, int]] = [
                (parent, count + 10, uuid.uuid4(), n) for n in range(count)
            ] or [(parent, 0, None, -1)]
            runs += [rows[:cut], rows[cut:]] if 0 < cut < count else [rows]
        Random(seed).shuffle(runs)  # noqa: S311 - a drawn order, not a secret
        flat = [row for run in runs for row in run]
        records = await conn.fetch(RECORDS, *(list(column) for column in zip(*flat, strict=True)))
        page = PageRequest(limit=limit, backward=backward)

        # when: they are grouped
        grouped = group_pages(records, ids, page, lambda record: record["n"])

        # then: each parent's page holds its rows in the order they came, and its total
        assert grouped == expected(records, ids, page)
        assert group_pages(records, ids, page, None).keys() == grouped.keys()


async def test_no_records_give_every_parent_an_empty_page(conn: Any) -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    page = PageRequest(limit=3)
    assert group_pages([], ids, page, None) == {parent: Page([], False, False, 0) for parent in ids}
