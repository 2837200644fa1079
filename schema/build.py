"""Assembles the schema and wires access enforcement onto it.

`python -m schema.build` prints the SDL, committed as schema.graphql.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.enforcement import enforce_access, field_rules
from schema.fast_execution import batched_fields, execution_context_class, plain_fields
from schema.mutation import Mutation
from schema.query import Query
from schema.request_rules import RequestRules


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Expected errors (ApiError) are answers, not incidents; the view logs unexpected ones in full.
        return None


def build_schema(*, extensions: Sequence[type[SchemaExtension]] = (), fast: bool = True) -> strawberry.Schema:
    """The schema; `extensions` go first (the web layer's tracing); `fast=False` keeps Strawberry's own
    executor (the fast path's tests compare the two)."""
    # RequestRules parses, validates (each document once) and prices every request (schema/request_rules).
    every_extension: list[Any] = [*extensions, RequestRules]
    schema = Schema(query=Query, mutation=Mutation, extensions=every_extension)
    enforce_access(schema)
    if fast:
        # After enforcement: fields wrapped by an access rule are never plain; a batched field's rule
        # is checked once per list.
        schema.execution_context_class = execution_context_class(
            plain_fields(schema._schema), batched_fields(schema, field_rules(schema))
        )
    return schema


schema = build_schema()

if __name__ == "__main__":
    print(schema.as_str())
