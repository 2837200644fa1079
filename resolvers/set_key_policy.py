"""setOrganizationKeyPolicy and setCarrierKeyPolicy: what one level of the key policy says.

An organization's administrators (and staff) set their organization's policy within the platform's;
staff tighten it further for one carrier. Each replaces what its level says (a null: nothing, the levels
above decide) and is refused, naming the rule and the level, where a value is looser than the levels
above. Keys already issued are not touched: those that fall short are listed as not meeting the policy
(ApiKey.policyGaps). Recorded in the activity log with before and after; the change feed tells open pages
(db/migrations/0006_organization_key_policy.sql).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from context import Context
from db import carriers, key_policies, organizations
from db.activity import Event
from db.carriers import CarrierRow
from db.key_policies import KeyPolicyRow, PolicyValues
from db.organizations import OrganizationRow
from resolvers import key_policy, rules, snapshots, validation
from resolvers.errors import PolicyLevel, stale


@dataclass(frozen=True, slots=True)
class PolicySet:
    """A level's policy after the change; `organization` or `carrier` is its owner."""

    own: KeyPolicyRow | None
    organization: OrganizationRow | None = None
    carrier: CarrierRow | None = None


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)


def _refuse_stale(row: KeyPolicyRow | None, expected_version: int | None) -> None:
    """`expectedVersion` is the level's `ownKeyPolicy.version` as the caller saw it (0: never set)."""
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise stale("key policy", current)


async def set_organization_key_policy(
    context: Context,
    *,
    organization_id: str,
    values: PolicyValues,
    reason: str | None,
    expected_version: int | None = None,
) -> PolicySet:
    rules.refuse(rules.first_refusal("setOrganizationKeyPolicy", context.principal))
    owner = validation.object_id(organization_id, type_name="Organization", field="organizationId")
    proposed = key_policy.check_values(PolicyLevel.ORGANIZATION, values)
    reason = _reason(reason)
    async with context.changing() as change:
        conn = change.conn
        visible = await organizations.by_ids(conn, reach=context.principal.reach, ids=[owner])
        organization = await organizations.lock(conn, organization_id=owner) if owner in visible else None
        if organization is None:
            raise validation.not_found("Organization", organization_id, "organizationId")
        rules.refuse(rules.not_organization_administrator(context.principal, organization.id))
        key_policy.refuse_looser(proposed, key_policy.of_levels(context.settings, None))
        before = (await key_policies.of_organizations(conn, organization_ids=[owner])).get(owner)
        _refuse_stale(before, expected_version)
        if _same(before, proposed):
            change.unchanged()
            return PolicySet(before, organization=organization)
        after = await key_policies.set_policy(
            conn,
            carrier=False,
            owner_id=owner,
            values=proposed.values(),
            actor=context.principal.audit_fields(),
        )
        await change.record(
            _event(
                "keyPolicy.setForOrganization",
                "Organization",
                owner,
                owner_name=organization.name,
                carrier_id=None,
                organization_id=owner,
                before=before,
                after=after,
                reason=reason,
            )
        )
    return PolicySet(after, organization=organization)


async def set_carrier_key_policy(
    context: Context,
    *,
    carrier_id: str,
    values: PolicyValues,
    reason: str | None,
    expected_version: int | None = None,
) -> PolicySet:
    owner = validation.object_id(carrier_id, type_name="Carrier", field="carrierId")
    proposed = key_policy.check_values(PolicyLevel.CARRIER, values)
    reason = _reason(reason)
    async with context.changing() as change:
        conn = change.conn
        visible = await carriers.by_ids(conn, reach=context.principal.reach, ids=[owner])
        # Locked as key changes lock it: a key issued meanwhile is judged by one policy or the other.
        carrier = await carriers.lock(conn, carrier_id=owner) if owner in visible else None
        if carrier is None:
            raise validation.not_found("Carrier", carrier_id, "carrierId")
        organization_policy = None
        if carrier.organization_id is not None:
            await organizations.lock_shared(conn, organization_id=carrier.organization_id)
            found = await key_policies.of_organizations(conn, organization_ids=[carrier.organization_id])
            organization_policy = found.get(carrier.organization_id)
        key_policy.refuse_looser(proposed, key_policy.of_organization(context.settings, organization_policy))
        levels = await key_policies.levels_of_carriers(conn, carrier_ids=[owner])
        before = levels[owner].carrier if owner in levels else None
        _refuse_stale(before, expected_version)
        if _same(before, proposed):
            change.unchanged()
            return PolicySet(before, carrier=carrier)
        after = await key_policies.set_policy(
            conn,
            carrier=True,
            owner_id=owner,
            values=proposed.values(),
            actor=context.principal.audit_fields(),
        )
        await change.record(
            _event(
                "keyPolicy.setForCarrier",
                "Carrier",
                owner,
                owner_name=snapshots.carrier_name(carrier),
                carrier_id=owner,
                organization_id=carrier.organization_id,
                before=before,
                after=after,
                reason=reason,
            )
        )
    return PolicySet(after, carrier=carrier)


def _same(row: KeyPolicyRow | None, proposed: key_policy.LevelPolicy) -> bool:
    return key_policy.LevelPolicy.of_row(proposed.level, row) == proposed


def snapshot(row: KeyPolicyRow | None) -> dict[str, Any]:
    """A level's policy as the activity log keeps it, in the API's terms (null: not set at this level)."""
    level = key_policy.LevelPolicy.of_row(PolicyLevel.PLATFORM, row)
    return {
        "maxLifetimeDays": level.max_lifetime_days,
        "allowlistRequired": level.allowlist_required,
        "allowedScopes": sorted(s.name for s in level.allowed_scopes)
        if level.allowed_scopes is not None
        else None,
        "maxGracePeriodSeconds": level.max_grace_period_seconds,
        "nonExpiringAllowed": level.non_expiring_allowed,
        "version": row.version if row is not None else 0,
    }


def _event(
    action: str,
    target_type: str,
    target_id: uuid.UUID,
    *,
    owner_name: str,
    carrier_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    before: KeyPolicyRow | None,
    after: KeyPolicyRow,
    reason: str | None,
) -> Event:
    return Event(
        action=action,
        target_type=target_type,
        target_id=target_id,
        carrier_id=carrier_id,
        organization_id=organization_id,
        before={"ownerName": owner_name, **snapshot(before)},
        after={"ownerName": owner_name, **snapshot(after)},
        reason=reason,
    )
