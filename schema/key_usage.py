"""The types of a key's usage over time: buckets (an hour or a UTC day) with counts by outcome."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from db.key_usage import Interval
from resolvers.key_usage import UsageBucket
from schema.row_fields import reads


@strawberry.enum(description="How long each bucket of a key's usage is.")
class ApiKeyUsageInterval(enum.Enum):
    HOUR = strawberry.enum_value("hour", description="An hour.")
    DAY = strawberry.enum_value("day", description="A day, midnight to midnight UTC.")


INTERVALS: dict[ApiKeyUsageInterval, Interval] = {
    ApiKeyUsageInterval.HOUR: "hour",
    ApiKeyUsageInterval.DAY: "day",
}


@strawberry.enum(description="What became of a request made with a key: exactly one per request.")
class ApiKeyUseOutcome(enum.Enum):
    SERVED = strawberry.enum_value(
        "SERVED",
        description="Admitted and run (a field its scopes do not cover is refused on its own: see "
        "`ApiKey.refusals`).",
    )
    REVOKED = strawberry.enum_value("REVOKED", description="Refused: the key was revoked.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Refused: the key had expired.")
    ADDRESS_NOT_ALLOWED = strawberry.enum_value(
        "ADDRESS_NOT_ALLOWED", description="Refused: from an address outside the key's allowlist."
    )
    API_ACCESS_DISABLED = strawberry.enum_value(
        "API_ACCESS_DISABLED", description="Refused: the carrier's API access feature was off."
    )
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description="Refused: beyond the key's rate limit.")


@strawberry.type(description="Requests with one outcome within a bucket.")
class ApiKeyUseCount:
    outcome: ApiKeyUseOutcome = strawberry.field(description="What became of them.")
    count: int = strawberry.field(description="How many there were.")


@strawberry.type(description="A key's requests within one hour or day, by outcome.")
class ApiKeyUsageBucket:
    bucket: strawberry.Private[UsageBucket]

    @classmethod
    def of(cls, bucket: UsageBucket) -> ApiKeyUsageBucket:
        return cls(bucket=bucket)

    start: datetime = reads(
        "bucket.start", description="The bucket's start (UTC); it ends where the next begins."
    )

    served: int = reads("bucket.served", description="Requests served.")

    refused: int = reads("bucket.refused", description="Requests refused, for any reason.")

    @strawberry.field(description="Each outcome that occurred, with how many; none for an empty bucket.")
    def counts(self) -> list[ApiKeyUseCount]:
        return [ApiKeyUseCount(outcome=ApiKeyUseOutcome(o), count=n) for o, n in self.bucket.counts]
