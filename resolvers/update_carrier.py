"""updateCarrier: rename a carrier (its code never changes: integrations and tokens refer to it)."""

from __future__ import annotations

from context import Context
from db import carriers
from db.carriers import CarrierRow
from resolvers import events, validation


async def update_carrier(
    context: Context, *, carrier_id: str, name: str, expected_version: int | None
) -> CarrierRow:
    named = validation.named(carrier_id, type_name="Carrier", version=expected_version)
    name = validation.text(name, field="name", label="A carrier's name")
    async with context.changing() as change:
        conn = change.conn
        before = await named.found(carriers.lock(conn, carrier_id=named.id))
        if before.name == name:
            change.unchanged()
            return before
        after = await carriers.update_name(conn, carrier_id=named.id, name=name)
        assert after is not None  # locked above
        await change.record(events.carrier("carrier.update", before=before, after=after))
    return after
