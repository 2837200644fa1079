"""createCarrier: a new carrier, not yet in any organization."""

from __future__ import annotations

from asyncpg import UniqueViolationError

from context import Context
from db import carriers
from db.activity import Event
from db.carriers import CarrierRow
from resolvers import snapshots, validation
from resolvers.errors import Conflict


async def create_carrier(context: Context, *, code: str, name: str) -> CarrierRow:
    code = validation.carrier_code(code)
    name = validation.text(name, field="name", label="A carrier's name")
    async with context.changing() as change:
        conn = change.conn
        try:
            carrier = await carriers.insert(conn, code=code, name=name)
        except UniqueViolationError:
            raise Conflict(f"A carrier with code {code} already exists.", field="code") from None
        await change.record(
            Event(
                action="carrier.create",
                target_type="Carrier",
                target_id=carrier.id,
                carrier_id=carrier.id,
                after=snapshots.carrier(carrier),
            ),
        )
    return carrier
