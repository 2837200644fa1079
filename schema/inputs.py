"""Inputs of the queries that list API keys: how a list is filtered and ordered. (Each mutation's inputs
live beside it, in schema/mutations/.)"""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from schema.enums import ApiKeyKind, ApiKeyScope, ApiKeyStatus


@strawberry.enum(description="What a list of API keys is sorted by.")
class ApiKeyOrderField(enum.Enum):
    CREATED_AT = strawberry.enum_value("CREATED_AT", description="When the key was issued.")
    EXPIRES_AT = strawberry.enum_value(
        "EXPIRES_AT", description="When it expires (keys that never expire come last)."
    )
    LAST_USED_AT = strawberry.enum_value(
        "LAST_USED_AT", description="When it was last used (keys never used come first)."
    )
    USES_LAST_30_DAYS = strawberry.enum_value(
        "USES_LAST_30_DAYS",
        description="Requests it served in the last 30 days (refusals are not uses; counted by hour, "
        "from the start of the current hour 30 days ago, as written by each instance's flush): DESC for the "
        "most used first, ASC for the least used. Ties in id order.",
    )


@strawberry.enum(description="Ascending (oldest, soonest first) or descending.")
class OrderDirection(enum.Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending.")
    DESC = strawberry.enum_value("DESC", description="Descending.")


@strawberry.input(description="How to sort a list of API keys.")
class ApiKeyOrder:
    field: ApiKeyOrderField = strawberry.field(default=ApiKeyOrderField.CREATED_AT, description="By what.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Which way.")


@strawberry.input(description="Which API keys a list holds; every condition is optional, all must hold.")
class ApiKeyFilter:
    status: ApiKeyStatus | None = strawberry.field(default=None, description="Only keys with this status.")
    search: str | None = strawberry.field(
        default=None, description="Text the description or the hint contains (case-insensitive)."
    )
    expiring_within_days: int | None = strawberry.field(
        default=None, description="Only active keys that expire within this many days (0 to 3650)."
    )
    scope: ApiKeyScope | None = strawberry.field(default=None, description="Only keys holding this scope.")
    unused_since: datetime | None = strawberry.field(
        default=None, description="Only keys never used, or last used before this moment."
    )
    kind: ApiKeyKind | None = strawberry.field(
        default=None, description="Only carriers' keys, or only service keys (which staff alone see)."
    )
    meets_policy: bool | None = strawberry.field(
        default=None,
        description="false: only active keys that fall short of their carrier's key policy now (those "
        "whose `policyGaps` is not empty); true: only the others.",
    )
