"""The fields of an object that the activity log keeps as `before` and `after` (never a secret), in the
API's terms: global ids, scopes as the schema spells them."""

from __future__ import annotations

from typing import Any

from db.carriers import CarrierRow
from db.features import FeatureRow
from db.organizations import OrganizationRow
from resolvers.global_ids import to_global_id


def carrier(row: CarrierRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "organizationId": to_global_id("Organization", row.organization_id) if row.organization_id else None,
        "version": row.version,
    }


def carrier_name(row: CarrierRow) -> str:
    """A carrier as a person reads it in the activity log: its code and name."""
    return f"{row.code} ({row.name})"


def organization(row: OrganizationRow) -> dict[str, Any]:
    return {"name": row.name, "version": row.version}


def feature(row: FeatureRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "description": row.description,
        "defaultEnabled": row.default_enabled,
        "version": row.version,
    }
