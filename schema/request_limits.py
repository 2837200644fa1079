"""The limits this deployment puts on requests, readable: a client pages, batches and subscribes within
them instead of copying numbers that a deployment may change (the Tools page takes its page size here)."""

from __future__ import annotations

import strawberry

from settings import Settings


@strawberry.type(description="The limits this server enforces on requests (its settings).")
class RequestLimits:
    default_page_size: int = strawberry.field(description="A connection's page without `first`/`last`.")
    max_page_size: int = strawberry.field(description="The most `first`/`last` may ask for.")
    max_ids_per_request: int = strawberry.field(
        description="Ids one argument may list (`nodes(ids:)`, `createOrganization`'s carriers)."
    )
    max_query_cost: int = strawberry.field(
        description="A document's cost: each field 1, multiplied down the tree by page sizes."
    )
    max_query_depth: int = strawberry.field(description="How deep fields may nest.")
    max_aliases: int = strawberry.field(description="Aliases in one document.")
    max_tokens: int = strawberry.field(description="Lexical tokens in one document.")
    max_body_bytes: int = strawberry.field(description="A request body's size.")
    requests_per_minute_per_key: int = strawberry.field(description="An API key's requests per minute.")
    requests_per_minute_per_person: int = strawberry.field(description="A person's requests per minute.")
    subscriptions_per_connection: int = strawberry.field(
        description="Subscriptions per WebSocket connection."
    )
    connections_per_caller: int = strawberry.field(description="Subscription connections per caller.")
    exports_per_caller: int = strawberry.field(description="CSV exports streaming at once per caller.")

    @classmethod
    def of(cls, settings: Settings) -> RequestLimits:
        """From the settings; a setting beyond GraphQL's Int (a deployment that lifts a limit) reads as
        the largest Int."""
        return cls(**{limit: _int(getattr(settings, setting)) for limit, setting in SETTINGS.items()})


# The setting each limit reports, by field.
SETTINGS = {
    "default_page_size": "default_page_size",
    "max_page_size": "max_page_size",
    "max_ids_per_request": "max_ids_per_request",
    "max_query_cost": "max_query_cost",
    "max_query_depth": "max_query_depth",
    "max_aliases": "max_aliases",
    "max_tokens": "max_tokens",
    "max_body_bytes": "max_body_bytes",
    "requests_per_minute_per_key": "rate_limit_per_key",
    "requests_per_minute_per_person": "rate_limit_per_person",
    "subscriptions_per_connection": "ws_max_subscriptions",
    "connections_per_caller": "ws_max_connections_per_caller",
    "exports_per_caller": "export_max_per_caller",
}


GRAPHQL_INT_MAX = 2**31 - 1


def _int(value: int) -> int:
    return min(value, GRAPHQL_INT_MAX)
