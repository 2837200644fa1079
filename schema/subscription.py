"""The subscription root: what a page or a service watches, over GraphQL over WebSocket
(graphql-transport-ws, at /graphql). Each event is read with the subscriber's own rules; losing the
right to it ends the subscription with an error saying why (resolvers/live.py)."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from access.principal import Scope
from context import Context
from resolvers import change_requests, live
from schema.activity import ActivityEvent
from schema.api_key import ApiKey
from schema.api_key_policy import ApiKeyPolicy
from schema.carrier import Carrier
from schema.change_request import ChangeRequest
from schema.directives import RequiresScope
from schema.effective_change import EffectiveChange
from schema.enablement import Enablement, enablements


@strawberry.enum(description="What happened to an API key.")
class ApiKeyChangeAction(enum.Enum):
    CREATED = strawberry.enum_value("CREATED", description="Issued (a rotation issues its new key).")
    UPDATED = strawberry.enum_value("UPDATED", description="Its description, scopes, allowlist or expiry.")
    REVOKED = strawberry.enum_value("REVOKED", description="Revoked now, or at the end of a grace period.")
    EXPIRING = strawberry.enum_value("EXPIRING", description="It entered its last days before expiry.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its expiry passed.")


@strawberry.type(description="An API key of a watched carrier changed: how, and the key as it is now.")
class ApiKeyChange:
    action: ApiKeyChangeAction = strawberry.field(description="What happened to it.")
    api_key: ApiKey = strawberry.field(description="The key now (never its secret).")


@strawberry.type(
    description="The watched carrier's effective enablements changed: which, and all as they are now.",
    directives=[RequiresScope(scope=Scope.ENABLEMENTS_READ)],
)
class EnablementsChange:
    carrier: Carrier = strawberry.field(description="The carrier.")
    changes: list[EffectiveChange] = strawberry.field(
        description="The features whose effective value changed."
    )
    enablements: Sequence[Enablement] = strawberry.field(description="Every feature for the carrier, now.")


@strawberry.type(
    description="Uses of the carrier's API keys were counted (an instance wrote its counts, about once a "
    "minute): read `ApiKey.usage` again for the new numbers."
)
class ApiKeyUsageChange:
    carrier: Carrier = strawberry.field(description="The carrier whose keys' usage counts changed.")


KEYS_READ = RequiresScope(scope=Scope.KEYS_READ)
# What a subscription watches: a carrier, or an organization (each of its carriers in reach).
WatchedCarrier = Annotated[strawberry.ID | None, strawberry.argument(description="The carrier watched.")]
WatchedOrganization = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Or an organization: its carriers (and, for activity, its own events)."),
]
ENABLEMENTS_READ = RequiresScope(scope=Scope.ENABLEMENTS_READ)
ACTIVITY_READ = RequiresScope(scope=Scope.ACTIVITY_READ)


def watching(
    stream: Callable[[Context, str | None, str | None], AsyncIterator[Any]],
    event: Callable[[Context, Any], Any],
    *,
    graphql_type: Any,
    description: str,
    directives: list[object],
) -> Any:
    """A subscription to what `stream` yields for the watched carrier or organization; `event` makes each
    item the GraphQL object sent (with the request's context: a key's status depends on the time)."""

    async def subscribe(
        self: Any,
        info: Info[Context, None],
        carrier_id: WatchedCarrier = None,
        organization_id: WatchedOrganization = None,
    ) -> AsyncGenerator[Any, None]:
        async for item in stream(info.context, carrier_id, organization_id):
            yield event(info.context, item)

    return strawberry.subscription(
        resolver=subscribe, graphql_type=graphql_type, description=description, directives=directives
    )


@strawberry.type(description="Watch changes as they happen (GraphQL over WebSocket, graphql-transport-ws).")
class Subscription:
    api_key_changes = watching(
        live.api_key_changes,
        lambda context, change: ApiKeyChange(
            action=ApiKeyChangeAction(change.action), api_key=ApiKey.from_row(change.key, context.now())
        ),
        graphql_type=ApiKeyChange,
        description="Each change to the carrier's API keys (or to those of each of the organization's "
        "carriers in reach): created, changed, revoked, expiring, expired. Pass one of carrierId, "
        "organizationId.",
        directives=[KEYS_READ],
    )

    api_key_usage_changed = watching(
        live.api_key_usage_changes,
        lambda _, carrier: ApiKeyUsageChange(carrier=Carrier.from_row(carrier)),
        graphql_type=ApiKeyUsageChange,
        description="Each time uses of the carrier's API keys (or of those of each of the organization's "
        "carriers in reach) are counted: an instance writes its counts about once a minute "
        "(API_KEY_LAST_USED_FLUSH_SECONDS), and each write that counted a use of the carrier's keys is an "
        "event. A key's mere use is not an `apiKeyChanges` event. Pass one of carrierId, organizationId.",
        directives=[KEYS_READ],
    )

    enablements_changed = watching(
        live.enablement_changes,
        lambda context, change: EnablementsChange(
            carrier=Carrier.from_row(change.carrier),
            changes=[EffectiveChange.of(c) for c in change.changes],
            enablements=enablements(context, change.now),
        ),
        graphql_type=EnablementsChange,
        description="Each change of a carrier's effective enablements (its own setting, its "
        "organization's, a feature's default, its move to another organization), with all as they are "
        "now; for an organization, of each of its carriers in reach. Pass one of carrierId, organizationId.",
        directives=[ENABLEMENTS_READ],
    )

    api_key_policy_changed = watching(
        live.key_policy_changes,
        lambda context, limits: ApiKeyPolicy.of(context.settings, limits),
        graphql_type=ApiKeyPolicy,
        description="The API key policy a carrier's keys follow, each time it changes (its organization's "
        "policy, staff's tightening for it, its move to another organization); for an organization, the "
        "policy its carriers follow before their own tightening. Pass one of carrierId, organizationId.",
        directives=[KEYS_READ],
    )

    activity_appended = watching(
        live.activity_appended,
        lambda _, row: ActivityEvent.from_row(row),
        graphql_type=ActivityEvent,
        description="Each event appended to the carrier's activity log (or to the organization's: its "
        "own and its carriers'), as `activity` would list it. Pass one of carrierId, organizationId.",
        directives=[ACTIVITY_READ],
    )

    @strawberry.subscription(
        description="Each request to Support you see (staff: every one; anyone else: their own) as it is "
        "made, answered, refused at approval, or expires, as it is now. People only."
    )
    async def change_requests_changed(self, info: Info[Context, None]) -> AsyncGenerator[ChangeRequest, None]:
        async for row in change_requests.changes(info.context):
            yield ChangeRequest.from_row(row, info.context.now())
