"""updateCarrier: rename a carrier (its code never changes: integrations and tokens refer to it)."""

from __future__ import annotations

from context import Context
from db import carriers
from db.activity import Event
from db.carriers import CarrierRow
from resolvers import snapshots, validation
from resolvers.errors import stale


async def update_carrier(
    context: Context, *, carrier_id: str, name: str, expected_version: int | None
) -> CarrierRow:
    raw_id = validation.object_id(carrier_id, type_name="Carrier", field="id")
    name = validation.text(name, field="name", label="A carrier's name")
    version = validation.expected_version(expected_version)
    async with context.changing() as change:
        conn = change.conn
        before = await carriers.lock(conn, carrier_id=raw_id)
        if before is None:
            raise validation.not_found("Carrier", carrier_id, "id")
        if version is not None and before.version != version:
            raise stale("carrier", before.version)
        if before.name == name:
            change.unchanged()
            return before
        after = await carriers.update_name(conn, carrier_id=raw_id, name=name)
        assert after is not None  # locked above
        await change.record(
            Event(
                action="carrier.update",
                target_type="Carrier",
                target_id=raw_id,
                carrier_id=raw_id,
                organization_id=after.organization_id,
                before=snapshots.carrier(before),
                after=snapshots.carrier(after),
            ),
        )
    return after
