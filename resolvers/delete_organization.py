"""deleteOrganization: refused while it still has carriers (the foreign key agrees, under any race)."""

from __future__ import annotations

from asyncpg import ForeignKeyViolationError

from context import Context
from db import organizations
from db.organizations import OrganizationRow
from resolvers import events, validation
from resolvers.errors import OrganizationNotEmpty


async def delete_organization(
    context: Context, *, organization_id: str, expected_version: int | None
) -> OrganizationRow:
    named = validation.named(organization_id, type_name="Organization", version=expected_version)
    async with context.changing() as change:
        conn = change.conn
        before = await named.found(organizations.lock(conn, organization_id=named.id))
        count = await organizations.count_carriers(conn, organization_id=named.id)
        if count:
            raise not_empty(before, count)
        try:
            async with conn.transaction():  # a savepoint: the count below still runs after a refusal
                deleted = await organizations.delete(conn, organization_id=named.id)
        except ForeignKeyViolationError:
            # A carrier was attached after the count: the database refused, as it should.
            raise not_empty(
                before, await organizations.count_carriers(conn, organization_id=named.id)
            ) from None
        assert deleted is not None
        await change.record(events.organization("organization.delete", before=before))
    return deleted


def not_empty(organization: OrganizationRow, count: int) -> OrganizationNotEmpty:
    return OrganizationNotEmpty(
        f"{organization.name} still has {count} carrier(s); detach or move them first.", carrier_count=count
    )
