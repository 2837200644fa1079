"""createCarrier: a new carrier, not yet in any organization."""

from __future__ import annotations

from context import Context
from db import carriers
from db.carriers import CarrierRow
from resolvers import events, validation
from resolvers.errors import Conflict


async def create_carrier(context: Context, *, code: str, name: str) -> CarrierRow:
    code = validation.carrier_code(code)
    name = validation.text(name, field="name", label="A carrier's name")
    async with context.changing() as change:
        carrier = await validation.unless_taken(
            carriers.insert(change.conn, code=code, name=name),
            Conflict(f"A carrier with code {code} already exists.", field="code"),
        )
        await change.record(events.carrier("carrier.create", after=carrier))
    return carrier
