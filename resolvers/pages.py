"""Page arguments (first/after, last/before) checked and turned into a keyset page request."""

from __future__ import annotations

from db.pagination import Cursor, InvalidCursorError, PageRequest
from schema.context import Context
from schema.errors import BadUserInput


def page_request(
    context: Context,
    list_name: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageRequest:
    cap = context.settings.max_page_size
    if first is not None and last is not None:
        raise BadUserInput("Pass either `first` or `last`, not both.", argument="first")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= cap:
            raise BadUserInput(
                f"`{name}` must be between 0 and {cap} (the page size limit); got {value}.",
                argument=name,
                limit=cap,
            )
    try:
        after_cursor = Cursor.decode(after, list_name) if after is not None else None
        before_cursor = Cursor.decode(before, list_name) if before is not None else None
    except InvalidCursorError as error:
        raise BadUserInput(
            f"{error}: use a cursor from this list's pageInfo or edges.",
            argument="after" if after is not None else "before",
        ) from None
    if last is not None:
        return PageRequest(limit=last, after=after_cursor, before=before_cursor, backward=True)
    limit = first if first is not None else context.settings.default_page_size
    return PageRequest(limit=limit, after=after_cursor, before=before_cursor)
