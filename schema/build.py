"""Assembles the schema; `python -m schema.build` prints its SDL (committed as schema.graphql)."""

from __future__ import annotations

import strawberry

from schema.query import Query


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


schema = build_schema()

if __name__ == "__main__":
    print(schema.as_str())
