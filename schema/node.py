"""Relay's Node interface: every object with an opaque global id (resolvers/global_ids.py)."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a globally unique, opaque id (Relay's Node).")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id; pass it to `node(id:)` or to any argument taking this type."
    )
