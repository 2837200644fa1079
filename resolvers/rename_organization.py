"""renameOrganization: names are unique regardless of case, which the database enforces."""

from __future__ import annotations

from context import Context
from db import organizations
from db.organizations import OrganizationRow
from resolvers import events, validation
from resolvers.errors import organization_name_taken


async def rename_organization(
    context: Context, *, organization_id: str, name: str, expected_version: int | None
) -> OrganizationRow:
    named = validation.named(organization_id, type_name="Organization", version=expected_version)
    name = validation.text(name, field="name", label="An organization's name")
    async with context.changing() as change:
        conn = change.conn
        before = await named.found(organizations.lock(conn, organization_id=named.id))
        if before.name == name:
            change.unchanged()
            return before
        after = await validation.unless_taken(
            organizations.rename(conn, organization_id=named.id, name=name), organization_name_taken(name)
        )
        assert after is not None  # locked above
        await change.record(events.organization("organization.rename", before=before, after=after))
    return after
