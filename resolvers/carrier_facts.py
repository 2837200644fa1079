"""The facts about a carrier the object-level rules judge by (resolvers/rules.py): its API access, its
active keys against the limit, its organization. Read through the request's loaders for the permissions
the page asks for, and inside a mutation's transaction (the carrier locked) for the change itself."""

from __future__ import annotations

import uuid
from datetime import datetime

from context import Context
from db import api_keys, enablements
from db.carriers import CarrierRow
from db.pool import Connection
from resolvers.rules import CarrierFacts


async def carrier_facts(
    context: Context, carrier_id: uuid.UUID, code: str, organization_id: uuid.UUID | None
) -> CarrierFacts:
    """For Carrier.permissions: through the loaders, so that a list of carriers batches them."""
    loaders, settings = context.loaders, context.settings
    on = await loaders.feature_on_by_carrier_id.load((carrier_id, settings.api_access_feature))
    active = await loaders.active_key_count_by_carrier_id.load(carrier_id)
    return CarrierFacts(
        code=code,
        api_access=on is not False,  # a catalogue without the feature leaves keys on
        api_access_feature=settings.api_access_feature,
        active_keys=active,
        key_limit=settings.max_active_keys_per_carrier,
        organization_id=organization_id,
    )


async def facts_now(
    conn: Connection, context: Context, carrier: CarrierRow | None, now: datetime
) -> CarrierFacts:
    """Inside a key mutation's transaction, of a locked carrier (None: the platform's service keys)."""
    settings = context.settings
    carrier_id = carrier.id if carrier is not None else None
    on = (
        await enablements.feature_effective(
            conn, carrier_id=carrier.id, feature_key=settings.api_access_feature
        )
        if carrier is not None
        else None
    )
    return CarrierFacts(
        code=carrier.code if carrier is not None else None,
        api_access=on is not False,
        api_access_feature=settings.api_access_feature,
        active_keys=await api_keys.count_active(conn, carrier_id=carrier_id, now=now),
        key_limit=settings.max_active_keys_per_carrier,
        organization_id=carrier.organization_id if carrier is not None else None,
    )


async def service_key_facts(context: Context) -> CarrierFacts | None:
    """For staff: the platform's service keys against their limit; None for anyone else."""
    if not context.principal.is_staff:
        return None
    settings = context.settings
    async with context.db.acquire() as conn:
        active = await api_keys.count_active(conn, carrier_id=None, now=context.now())
    return CarrierFacts(
        code=None,
        api_access=True,
        api_access_feature=settings.api_access_feature,
        active_keys=active,
        key_limit=settings.max_active_keys_per_carrier,
        organization_id=None,
    )
