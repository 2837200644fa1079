"""Cursor connections (the GraphQL Cursor Connections spec), generic over the node type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from context import Context
from db.pagination import Cursor, Page
from fastgraph import RowView, RowViews
from resolvers.pages import PageArgs

T = TypeVar("T")

# The page arguments every connection field takes.
First = Annotated[
    int | None,
    strawberry.argument(
        description="Page forward: at most this many items (default and most: `limits.defaultPageSize`, "
        "`limits.maxPageSize`)."
    ),
]
After = Annotated[str | None, strawberry.argument(description="Page forward from this cursor (exclusive).")]
Last = Annotated[int | None, strawberry.argument(description="Page backward: at most this many items.")]
Before = Annotated[str | None, strawberry.argument(description="Page backward from this cursor (exclusive).")]


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow the last of this page.")
    has_previous_page: bool = strawberry.field(description="Items precede the first of this page.")
    rows: strawberry.Private[list[Any]]
    cursor: strawberry.Private[Callable[[Any], Cursor]]

    # Cursors are encoded only when asked for: a nested query has a page per carrier.
    @strawberry.field(description="Cursor of the first item; null if empty.")
    def start_cursor(self) -> str | None:
        return self.cursor(self.rows[0]).encode() if self.rows else None

    @strawberry.field(description="Cursor of the last item; null if empty.")
    def end_cursor(self) -> str | None:
        return self.cursor(self.rows[-1]).encode() if self.rows else None


@strawberry.type(description="One item of a page, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` or `before` to page from here.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list: items, cursors, and the size of the whole list.")
class Connection(Generic[T]):
    nodes: Sequence[T] = strawberry.field(description="The page's items, when cursors are not needed.")
    page_info: PageInfo = strawberry.field(description="Whether more pages exist, and their cursors.")
    total_count: int = strawberry.field(description="How many items the whole list holds.")
    rows: strawberry.Private[list[Any]]
    cursor: strawberry.Private[Callable[[Any], Cursor]]

    @strawberry.field(description="The page's items with their cursors.")
    def edges(self) -> list[Edge[T]]:
        # Cursors are encoded only when asked for: partner tooling often reads `nodes` alone.
        return [
            Edge(cursor=self.cursor(row).encode(), node=node)
            for row, node in zip(self.rows, self.nodes, strict=True)
        ]


def connection(page: Page[Any], node: Callable[[Any], T], cursor: Callable[[Any], Cursor]) -> Connection[T]:
    """Wrap a page of rows: `node` makes the GraphQL object, `cursor` names the row's position. A
    `RowView` makes them when first read (fastgraph/rows.py): the fast path may build from the rows."""
    rows = page.rows
    return Connection(
        nodes=RowViews(rows, node) if isinstance(node, RowView) else [node(row) for row in rows],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            rows=rows,
            cursor=cursor,
        ),
        total_count=page.total_count,
        rows=rows,
        cursor=cursor,
    )


def connection_field(
    read: Callable[[Info[Context, None], Any, PageArgs], Awaitable[Page[Any]]],
    node: Callable[[Any], T],
    cursor: Callable[[Any], Cursor],
    *,
    graphql_type: Any,
    description: str,
    directives: Sequence[object] = (),
    then: Callable[[Info[Context, None], Sequence[T]], Awaitable[None]] | None = None,
) -> Any:
    """A connection field that takes the page arguments and nothing else. `read(info, parent, page_args)`
    reads the page (`parent` is the object the field is on); `node` and `cursor` wrap its rows, as in
    `connection`; `then` sees the page's nodes before the field answers (a carriers' page prefetches
    their children)."""

    async def resolve(
        self: Any,
        info: Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[T]:
        found = connection(await read(info, self, PageArgs(first, after, last, before)), node, cursor)
        if then is not None:
            await then(info, found.nodes)
        return found

    return strawberry.field(
        resolver=resolve, graphql_type=graphql_type, description=description, directives=directives
    )
