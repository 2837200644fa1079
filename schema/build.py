"""Assembles the schema and wires access enforcement onto it.

`python -m schema.build` prints the SDL, committed as schema.graphql.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

import fastgraph
from schema.direct_calls import call_directly
from schema.enforcement import enforce_access, field_rules
from schema.event_executor import with_own_event_memos
from schema.fast_path import object_classes, plain_fields, row_reads
from schema.mutations import Mutation
from schema.query import Query
from schema.request_rules import RequestRules
from schema.subscription import Subscription
from settings import fast_path_enabled

# How many operations the fast executor answered, found not eligible, or handed back (for /metrics and
# the canary test).
FAST_PATH = fastgraph.Counters()


# Objects that may carry their fields' answers, prefetched by the list they came in (schema/prefetch.py).
ANSWERED = {"Carrier": "prefetched"}


class Schema(strawberry.Schema):
    # Where the fast executor keeps its plans per document (None on graphql-core's executor alone).
    plans: fastgraph.Plans | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Expected errors (ApiError) are answers, not incidents; the view logs unexpected ones in full.
        return None


def build_schema(*, extensions: Sequence[type[SchemaExtension]] = (), fast: bool = True) -> Schema:
    """The schema; `extensions` go first (the web layer's tracing); `fast=False` keeps Strawberry's own
    executor (the fast path's tests compare the two)."""
    # RequestRules parses, validates (each document once) and prices every request (schema/request_rules).
    every_extension: list[Any] = [*extensions, RequestRules]
    # No exception handlers: resolvers called directly would skip them (schema/direct_calls.py).
    schema = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=every_extension)
    call_directly(schema)
    enforce_access(schema)
    schema.execution_context_class = with_own_event_memos(schema.execution_context_class)
    if fast:
        # After enforcement: a field an access rule guards is never plain.
        rules = field_rules(schema)
        plain = plain_fields(schema, rules)
        schema.plans = fastgraph.Plans()
        schema.execution_context_class = fastgraph.executor_class(
            schema.execution_context_class,
            plain,
            object_classes(schema),
            FAST_PATH,
            ANSWERED,
            plans=schema.plans,
            # Strawberry's DateTime writes `isoformat()`; the HTTP responses are written by orjson, which
            # writes a UTC datetime exactly so (tests/fastgraph/test_datetimes_as_is.py).
            datetimes=frozenset({"DateTime"}),
            for_writer=lambda context: getattr(context, "json_writer", False),
            # Pages of keys and lists of enablements: built from their rows (schema/row_fields.py).
            row_reads=row_reads(schema, rules),
        )
    return schema


# The schema the server answers with (FAST_PATH=0: graphql-core's executor alone), and the others
# a deployment's settings may ask for, built once each.
schema = build_schema(fast=fast_path_enabled())


@functools.cache
def schema_for(*, fast: bool, tracing: type[SchemaExtension] | None = None) -> Schema:
    if tracing is None and fast == fast_path_enabled():
        return schema
    return build_schema(extensions=[tracing] if tracing else (), fast=fast)


if __name__ == "__main__":
    print(schema.as_str())
