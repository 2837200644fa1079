"""Input checks shared by the mutations: each returns the normalised value (or the object named), or raises
the error that names the input field at fault."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from asyncpg import UniqueViolationError

from resolvers.errors import BadUserInput, Conflict, NotFound, stale
from resolvers.global_ids import from_global_id

CARRIER_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
FEATURE_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def text(
    value: str,
    *,
    field: str,
    label: str,
    max_length: int = 200,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trimmed text; names are one line, `multiline` text (descriptions, reasons) may break lines."""
    cleaned = value.strip()
    if required and not cleaned:
        raise BadUserInput(f"{label} must not be empty.", field=field)
    if len(cleaned) > max_length:
        raise BadUserInput(
            f"{label} must be at most {max_length} characters (got {len(cleaned)}).", field=field
        )
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in cleaned):
        raise BadUserInput(f"{label} must not contain control characters.", field=field)
    return cleaned


def carrier_code(value: str) -> str:
    code = value.strip().upper()
    if not CARRIER_CODE.fullmatch(code):
        raise BadUserInput(
            "A carrier code is 2 to 10 letters and digits starting with a letter, e.g. BNSF.", field="code"
        )
    return code


def feature_key(value: str, *, field: str = "featureKey") -> str:
    key = value.strip()
    if len(key) > 100 or not FEATURE_KEY.fullmatch(key):
        raise BadUserInput(
            "A feature key is dotted lower-case words, e.g. inventory.waybills (at most 100 characters).",
            field=field,
        )
    return key


def feature_description(value: str) -> str:
    """A catalogue entry's description: optional, and long enough for a paragraph or two."""
    return text(
        value, field="description", label="A description", max_length=2000, required=False, multiline=True
    )


def expected_version(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise BadUserInput("expectedVersion must be a positive version number.", field="expectedVersion")
    return value


def object_id(global_id: str, *, type_name: str, field: str) -> uuid.UUID:
    """The uuid behind a global id, or NotFound: a malformed id, an id of another type and an id of
    nothing all read the same to the caller."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        raise not_found(type_name, global_id, field)
    return decoded[1]


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


Row = TypeVar("Row", bound=Versioned)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Named:
    """The object a change is made to, as its input named it: its id and the version the caller expects
    it at (None: any), both checked before the transaction; `found` judges the row read inside it."""

    id: uuid.UUID
    global_id: str
    type_name: str
    field: str
    version: int | None

    async def found(self, lookup: Awaitable[Row | None]) -> Row:
        """The row `lookup` read (usually locked): not found as the input named it, or stale when the
        caller expected another version of it."""
        row = await lookup
        if row is None:
            raise not_found(self.type_name, self.global_id, self.field)
        if self.version is not None and row.version != self.version:
            raise stale(self.type_name.lower(), row.version)
        return row


def named(global_id: str, *, type_name: str, version: int | None, field: str = "id") -> Named:
    """The object a change names by `field`, at the `expectedVersion` the caller gave (if any)."""
    return Named(
        object_id(global_id, type_name=type_name, field=field),
        global_id,
        type_name,
        field,
        expected_version(version),
    )


async def unless_taken(write: Awaitable[T], conflict: Conflict) -> T:
    """What `write` returns, or `conflict` when a unique index refuses it: the database, not a read
    before the write, decides which of two concurrent requests took the name first."""
    try:
        return await write
    except UniqueViolationError:
        raise conflict from None


def not_found(type_name: str, global_id: str, field: str) -> NotFound:
    # The same sentence whether the object exists elsewhere or nowhere.
    return NotFound(f"No {type_name} with id {global_id[:100]!r} was found.", field=field)
