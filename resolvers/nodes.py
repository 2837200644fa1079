"""`node(id:)` and `nodes(ids:)`: any object by its global id, under the same rules as everywhere.

An id of another tenant's object, of a type the caller's key has no scope for, or that is simply
malformed, all answer null: nothing tells them apart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from access.principal import Scope
from context import Context
from resolvers.global_ids import from_global_id

# The loader each type is read with.
NODE_LOADERS: dict[str, str] = {
    "Carrier": "carrier_by_id",
    "Organization": "organization_by_id",
    "Feature": "feature_by_id",
    "ApiKey": "api_key_by_id",
    "ActivityEvent": "activity_event_by_id",
}


def decode_id(global_id: str, type_name: str) -> uuid.UUID | None:
    """The uuid of a global id of `type_name`, or None for any id that cannot name such an object."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


async def nodes(
    context: Context, global_ids: Sequence[str], scopes: Mapping[str, frozenset[Scope]]
) -> list[tuple[str, Any] | None]:
    """(type name, row) per id, in order; None where the caller gets nothing, which includes a type whose
    `scopes` (its @requiresScope marks) the caller does not hold."""
    pending: list[tuple[str, Any] | None] = []
    for global_id in global_ids:
        decoded = from_global_id(global_id)
        loader_name = NODE_LOADERS.get(decoded[0]) if decoded else None
        if decoded is None or loader_name is None or not scopes[decoded[0]] <= context.principal.scopes:
            pending.append(None)
            continue
        loader = getattr(context.loaders, loader_name)
        pending.append((decoded[0], loader.load(decoded[1])))
    results: list[tuple[str, Any] | None] = []
    for item in pending:
        if item is None:
            results.append(None)
            continue
        type_name, future = item
        row = await future
        results.append((type_name, row) if row is not None else None)
    return results
