"""deleteOrganization: refused while it still has carriers (the foreign key agrees, under any race)."""

from __future__ import annotations

from asyncpg import ForeignKeyViolationError

from context import Context
from db import organizations
from db.activity import Event
from db.organizations import OrganizationRow
from resolvers import snapshots, validation
from resolvers.errors import OrganizationNotEmpty, stale


async def delete_organization(
    context: Context, *, organization_id: str, expected_version: int | None
) -> OrganizationRow:
    raw_id = validation.object_id(organization_id, type_name="Organization", field="id")
    version = validation.expected_version(expected_version)
    async with context.changing() as change:
        conn = change.conn
        before = await organizations.lock(conn, organization_id=raw_id)
        if before is None:
            raise validation.not_found("Organization", organization_id, "id")
        if version is not None and before.version != version:
            raise stale("organization", before.version)
        count = await organizations.count_carriers(conn, organization_id=raw_id)
        if count:
            raise not_empty(before, count)
        try:
            async with conn.transaction():  # a savepoint: the count below still runs after a refusal
                deleted = await organizations.delete(conn, organization_id=raw_id)
        except ForeignKeyViolationError:
            # A carrier was attached after the count: the database refused, as it should.
            raise not_empty(
                before, await organizations.count_carriers(conn, organization_id=raw_id)
            ) from None
        assert deleted is not None
        await change.record(
            Event(
                action="organization.delete",
                target_type="Organization",
                target_id=raw_id,
                organization_id=raw_id,
                before=snapshots.organization(before),
            ),
        )
    return deleted


def not_empty(organization: OrganizationRow, count: int) -> OrganizationNotEmpty:
    return OrganizationNotEmpty(
        f"{organization.name} still has {count} carrier(s); detach or move them first.", carrier_count=count
    )
