"""The fields of an object that the activity log keeps as `before` and `after` (never a secret)."""

from __future__ import annotations

from typing import Any

from db.carriers import CarrierRow
from db.features import FeatureRow
from db.organizations import OrganizationRow


def carrier(row: CarrierRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "organizationId": str(row.organization_id) if row.organization_id else None,
        "version": row.version,
    }


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
