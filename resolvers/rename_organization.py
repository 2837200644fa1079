"""renameOrganization: names are unique regardless of case, which the database enforces."""

from __future__ import annotations

from asyncpg import UniqueViolationError

from context import Context
from db import organizations
from db.activity import Event
from db.organizations import OrganizationRow
from resolvers import snapshots, validation
from resolvers.errors import Conflict, stale


async def rename_organization(
    context: Context, *, organization_id: str, name: str, expected_version: int | None
) -> OrganizationRow:
    raw_id = validation.object_id(organization_id, type_name="Organization", field="id")
    name = validation.text(name, field="name", label="An organization's name")
    version = validation.expected_version(expected_version)
    async with context.changing() as change:
        conn = change.conn
        before = await organizations.lock(conn, organization_id=raw_id)
        if before is None:
            raise validation.not_found("Organization", organization_id, "id")
        if version is not None and before.version != version:
            raise stale("organization", before.version)
        if before.name == name:
            change.unchanged()
            return before
        try:
            after = await organizations.rename(conn, organization_id=raw_id, name=name)
        except UniqueViolationError:
            raise Conflict(f"An organization named {name!r} already exists.", field="name") from None
        assert after is not None  # locked above
        await change.record(
            Event(
                action="organization.rename",
                target_type="Organization",
                target_id=raw_id,
                organization_id=raw_id,
                before=snapshots.organization(before),
                after=snapshots.organization(after),
            ),
        )
    return after
