"""Page arguments (first/after, last/before) checked and turned into a keyset page request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from context import Context
from db.pagination import Cursor, InvalidCursorError, PageRequest
from resolvers.errors import BadUserInput
from settings import Settings


def page_size_refusal(settings: Settings, argument: str, value: int) -> str | None:
    """Why a page size is refused (outside 0..MAX_PAGE_SIZE), or None: the one check of page sizes,
    made when a document is priced (schema/limits.py) and when a page is read."""
    cap = settings.max_page_size
    if 0 <= value <= cap:
        return None
    return f"`{argument}` must be between 0 and {cap} (the page size limit, MAX_PAGE_SIZE); got {value}."


@dataclass(frozen=True, slots=True)
class PageArgs:
    """The four page arguments of a connection field, as the caller gave them (unchecked): they travel
    together from the field to `page_request`."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def page_request(
    context: Context, list_name: str, args: PageArgs, *, descending: bool = False
) -> PageRequest:
    """`list_name` names the list and its order (cursors of another list or order are refused); its part
    before the first colon says what its cursors' keys look like."""
    first, after, last, before = args.first, args.after, args.last, args.before
    if first is not None and last is not None:
        raise BadUserInput("Pass either `first` or `last`, not both.", argument="first")
    for name, value in (("first", first), ("last", last)):
        refusal = page_size_refusal(context.settings, name, value) if value is not None else None
        if refusal is not None:
            raise BadUserInput(refusal, argument=name, limit=context.settings.max_page_size)
    try:
        after_cursor = _cursor(after, list_name)
        before_cursor = _cursor(before, list_name)
    except InvalidCursorError as error:
        raise BadUserInput(
            f"{error}: use a cursor from this list's pageInfo or edges.",
            argument="after" if after is not None else "before",
        ) from None
    if last is not None:
        return PageRequest(
            limit=last, after=after_cursor, before=before_cursor, backward=True, descending=descending
        )
    limit = first if first is not None else context.settings.default_page_size
    return PageRequest(limit=limit, after=after_cursor, before=before_cursor, descending=descending)


# What each list's cursor keys look like, exactly as this server writes them: a forged key fails here,
# not in PostgreSQL's cast. Times are asyncpg's UTC timestamps as isoformat() writes them.
UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00|-?infinity")
KEY_FORMATS = {
    "apiKeys": UTC_TIME,
    "activity": UTC_TIME,
    "changeRequests": UTC_TIME,
    "carriers": re.compile(r"[A-Z][A-Z0-9]{1,9}"),
    "organizations": re.compile(r"[^\x00-\x1f\x7f]{1,200}"),
    # Keys by use: a count of requests (at most 18 digits, well within a bigint).
    "apiKeys:USES_LAST_30_DAYS": re.compile(r"0|[1-9]\d{0,17}"),
}


def _cursor(text: str | None, list_name: str) -> Cursor | None:
    if text is None:
        return None
    cursor = Cursor.decode(text, list_name)
    parts = list_name.split(":")
    key_format = KEY_FORMATS.get(":".join(parts[:2])) or KEY_FORMATS.get(parts[0])
    if key_format is not None and not key_format.fullmatch(cursor.key):
        raise InvalidCursorError(f"cursor {text[:60]!r} is not valid")
    if key_format is UTC_TIME and not cursor.key.endswith("infinity"):
        try:
            datetime.fromisoformat(cursor.key)
        except ValueError:
            raise InvalidCursorError(f"cursor {text[:60]!r} is not valid") from None
    return cursor
