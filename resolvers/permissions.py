"""What about a carrier decides whether an operation on it can go through, beside the caller's rights:
its API access feature, its active keys against the limit, whether it is in an organization."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from context import Context
from db import api_keys


@dataclass(frozen=True, slots=True)
class CarrierFacts:
    api_access: bool
    active_keys: int
    key_limit: int
    in_organization: bool


@dataclass(frozen=True, slots=True)
class KeyRoom:
    active: int
    limit: int


async def service_key_room(context: Context) -> KeyRoom | None:
    """For staff: the platform's active service keys against their limit; None for anyone else."""
    if not context.principal.is_staff:
        return None
    async with context.db.acquire() as conn:
        active = await api_keys.count_active(conn, carrier_id=None, now=context.now())
    return KeyRoom(active, context.settings.max_active_keys_per_carrier)


async def carrier_facts(
    context: Context, carrier_id: uuid.UUID, organization_id: uuid.UUID | None
) -> CarrierFacts:
    loaders = context.loaders
    on = await loaders.feature_on_by_carrier_id.load((carrier_id, context.settings.api_access_feature))
    active = await loaders.active_key_count_by_carrier_id.load(carrier_id)
    return CarrierFacts(
        api_access=on is not False,  # a catalogue without the feature leaves keys on
        active_keys=active,
        key_limit=context.settings.max_active_keys_per_carrier,
        in_organization=organization_id is not None,
    )
