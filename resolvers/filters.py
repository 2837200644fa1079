"""Query arguments that reach SQL as values (search text, codes, times), checked before they do.

PostgreSQL refuses a NUL character in text and asyncpg a time without a zone; caught here, either is
a BAD_USER_INPUT naming the argument instead of a database error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from resolvers.errors import BadUserInput

MAX_TEXT = 200


def text(value: str | None, argument: str) -> str | None:
    if value is None:
        return None
    if "\x00" in value:
        raise BadUserInput(f"`{argument}` contains a NUL character.", argument=argument)
    if len(value) > MAX_TEXT:
        raise BadUserInput(f"`{argument}` may be at most {MAX_TEXT} characters.", argument=argument)
    return value


@overload
def instant(value: datetime, argument: str) -> datetime: ...


@overload
def instant(value: None, argument: str) -> None: ...


@overload
def instant(value: datetime | None, argument: str) -> datetime | None: ...


def instant(value: datetime | None, argument: str) -> datetime | None:
    """The time in UTC; refused without a zone, or where the zone moves it outside the calendar."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadUserInput(f"`{argument}` needs a time zone, e.g. 2026-01-31T00:00:00Z.", argument=argument)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise BadUserInput(
            f"`{argument}` is outside the years 1 to 9999 in UTC.", argument=argument
        ) from None


def instant_text(value: str | None, argument: str) -> datetime | None:
    """A time given as text (an export's query parameter, ISO 8601), then checked as `instant` checks one."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadUserInput(
            f"`{argument}` is a time in ISO 8601, e.g. 2026-11-30T00:00:00Z.", argument=argument
        ) from None
    return instant(parsed, argument)
