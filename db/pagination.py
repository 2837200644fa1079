"""Keyset pagination: cursors that name a row by its sort key, so pages stay stable under inserts.

A list query orders by (sort key, id); a cursor carries both. `Keyset` renders the WHERE / ORDER BY /
LIMIT fragments for one page, with parameters numbered after the query's own.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, Generic, TypeVar

import orjson

T = TypeVar("T")
P = TypeVar("P", bound=Hashable)


# Cursors this server writes are well under this: a sort key of at most 200 characters, an id, a list name.
MAX_CURSOR_LENGTH = 1000


class InvalidCursorError(ValueError):
    """A cursor that this server did not issue (or issued for another list)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    # Which list the cursor belongs to: a carriers cursor is meaningless for API keys.
    list_name: str
    key: str
    id: uuid.UUID

    def encode(self) -> str:
        raw = orjson.dumps([self.list_name, self.key, str(self.id)])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, list_name: str) -> Cursor:
        """The cursor `encode` wrote, or InvalidCursorError: anything else (a forged, truncated or
        foreign cursor) is refused here, before its key can reach SQL."""
        try:
            if len(text) > MAX_CURSOR_LENGTH or not text.isascii():
                raise ValueError
            padded = text + "=" * (-len(text) % 4)
            decoded = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
            if not (
                isinstance(decoded, list) and len(decoded) == 3 and all(isinstance(p, str) for p in decoded)
            ):
                raise ValueError
            list_part, key, id_text = decoded
            if "\x00" in key:
                raise ValueError
            cursor = cls(list_part, key, uuid.UUID(id_text))
        except (binascii.Error, ValueError, TypeError):
            raise InvalidCursorError(f"cursor {text[:60]!r} is not valid") from None
        if cursor.list_name != list_name:
            raise InvalidCursorError(f"cursor {text[:60]!r} belongs to another list")
        return cursor


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page: `limit` rows after/before the cursors, read forward or (for `last`) backward."""

    limit: int
    after: Cursor | None = None
    before: Cursor | None = None
    backward: bool = False
    # The list's own order reversed (newest first, say); `backward` pages through either.
    descending: bool = False
    # Hashed once: a page is part of every parent's loader key (db/loaders.ChildPageKey), hashed with it.
    hashed: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "hashed", hash((self.limit, self.after, self.before, self.backward, self.descending))
        )

    def __hash__(self) -> int:
        return self.hashed


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


def page_statement(columns: str, filtered: str) -> str:
    """A list's page in one statement: the total of the filtered list, and the page itself (none for an
    empty one). `filtered` is the list's `from ... where ...`; `{where}`, `{order_by}` and `{limit}` are
    left for the keyset to fill (Keyset.fill)."""
    return f"""
with total as (select count(*) as n {filtered})
select total.n as total, p.*
from total
left join lateral (
    select {columns} {filtered} and {{where}}
    order by {{order_by}} limit {{limit}}
) p on true
"""


@dataclass(frozen=True, slots=True)
class Keyset:
    """The SQL fragments of one page over `order by <sort>, <id>`."""

    where: str
    order_by: str
    limit: str
    params: list[object]

    @classmethod
    def render(
        cls,
        page: PageRequest,
        *,
        sort: str,
        id_column: str,
        key_type: str,
        first_param: int,
        newest_first: bool = False,
    ) -> Keyset:
        """`newest_first` lists in descending key order (an activity log reads newest first)."""
        conditions = ["true"]
        params: list[object] = []
        n = first_param
        after_op, before_op = ("<", ">") if newest_first else (">", "<")
        for cursor, op in ((page.after, after_op), (page.before, before_op)):
            if cursor is not None:
                # The key travels as text (it came from a cursor) and is cast by PostgreSQL.
                conditions.append(f"({sort}, {id_column}) {op} (${n}::text::{key_type}, ${n + 1}::uuid)")
                params += [cursor.key, cursor.id]
                n += 2
        direction = "desc" if page.backward != newest_first else "asc"
        params.append(page.limit + 1)  # one more than asked tells whether another page follows
        return cls(
            where=" and ".join(conditions),
            order_by=f"{sort} {direction}, {id_column} {direction}",
            limit=f"${n}",
            params=params,
        )

    @classmethod
    def newest_first(cls, page: PageRequest, *, alias: str, at: str, first_param: int) -> Keyset:
        """A log's page (the activity log, requests to Support): by the time column `at` of `alias`,
        newest first, ties by id."""
        return cls.render(
            page,
            sort=f"{alias}.{at}",
            id_column=f"{alias}.id",
            key_type="timestamptz",
            first_param=first_param,
            newest_first=True,
        )

    def fill(self, statement: str) -> str:
        """The statement with this page's `{where}`, `{order_by}` and `{limit}` in place."""
        return statement.format(where=self.where, order_by=self.order_by, limit=self.limit)


def to_page(rows: Sequence[T], page: PageRequest, total_count: int) -> Page[T]:
    """Trim the extra row, restore ascending order, and say which neighbours exist."""
    more = len(rows) > page.limit
    kept = list(rows[: page.limit])
    if page.backward:
        kept.reverse()
        return Page(kept, page.before is not None, more, total_count)
    return Page(kept, more, page.after is not None, total_count)


def group_pages(
    records: Sequence[Any], parent_ids: Sequence[P], page: PageRequest, make: Callable[[Any], T] | None
) -> dict[P, Page[T]]:
    """Split the result of a one-statement, many-parents page query (columns parent_id, total, row...).
    `make` turns a record into an item; None keeps the record itself (a page of 1,000 keys then makes
    no 1,000 calls of an identity).

    A parent with no rows still comes back once, with a null row, so its total is known.

    Each parent's rows come out together (its lateral page), so they are taken a run at a time, the
    records of a run collected in C (`groupby`, `list`): half the time of reading three columns by name
    from every record, for the main query's 1,000 keys. Should a parent's rows ever come in two runs,
    the second joins the first, in order.
    """
    rows: dict[P, list[Any]] = {parent: [] for parent in parent_ids}
    totals: dict[P, int] = dict.fromkeys(parent_ids, 0)
    if records:
        parent_of = itemgetter(list(records[0].keys()).index("parent_id"))
        for parent, run in groupby(records, parent_of):
            items = list(run)
            first = items[0]
            totals[parent] = first["total"]
            if first["id"] is not None:  # else the one null row of a parent without rows
                rows[parent] += items if make is None else map(make, items)
    return {parent: to_page(rows[parent], page, totals[parent]) for parent in parent_ids}
