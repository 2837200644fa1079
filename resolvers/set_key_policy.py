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

from context import Change, Context
from db import key_policies, organizations
from db.activity import Event
from db.carriers import CarrierRow
from db.key_policies import KeyPolicyRow, PolicyValues
from db.organizations import OrganizationRow
from resolvers import api_key_policy, key_policy, rules, snapshots, validation
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
    organization_id: str,
    *,
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
        level = Level(False, owner, organization.name, owner, proposed, reason, expected_version)
        after = await _write(context, change, level, before)
    return PolicySet(after, organization=organization)


async def set_carrier_key_policy(
    context: Context,
    carrier_id: str,
    *,
    values: PolicyValues,
    reason: str | None,
    expected_version: int | None = None,
) -> PolicySet:
    proposed = key_policy.check_values(PolicyLevel.CARRIER, values)
    reason = _reason(reason)
    async with context.changing() as change:
        conn = change.conn
        # Locked as key changes lock it (the carrier, then its organization shared): a key issued
        # meanwhile is judged by one policy or the other.
        carrier = await api_key_policy.managed_carrier(context, conn, carrier_id)
        owner = carrier.id
        organization_policy = None
        if carrier.organization_id is not None:
            found = await key_policies.of_organizations(conn, organization_ids=[carrier.organization_id])
            organization_policy = found.get(carrier.organization_id)
        key_policy.refuse_looser(proposed, key_policy.of_organization(context.settings, organization_policy))
        levels = await key_policies.levels_of_carriers(conn, carrier_ids=[owner])
        before = levels[owner].carrier if owner in levels else None
        name = snapshots.carrier_name(carrier)
        level = Level(True, owner, name, carrier.organization_id, proposed, reason, expected_version)
        after = await _write(context, change, level, before)
    return PolicySet(after, carrier=carrier)


@dataclass(frozen=True, slots=True)
class Level:
    """A change of one level: whose (an organization's, or a carrier's when `carrier`, named as its
    activity row names it), what it proposes, why, and the version the caller saw."""

    carrier: bool
    id: uuid.UUID
    name: str
    organization_id: uuid.UUID | None
    proposed: key_policy.LevelPolicy
    reason: str | None
    expected_version: int | None


async def _write(
    context: Context, change: Change, level: Level, before: KeyPolicyRow | None
) -> KeyPolicyRow | None:
    """Both setters' tail: a stale `expectedVersion` refused, the same policy left unchanged, else the
    level written with its activity row (the table's trigger tells the change feed). The level's policy
    after it."""
    _refuse_stale(before, level.expected_version)
    if _same(before, level.proposed):
        change.unchanged()
        return before
    after = await key_policies.set_policy(
        change.conn,
        carrier=level.carrier,
        owner_id=level.id,
        values=level.proposed.values(),
        actor=context.principal.audit_fields(),
    )
    await change.record(
        Event(
            action="keyPolicy.setForCarrier" if level.carrier else "keyPolicy.setForOrganization",
            target_type="Carrier" if level.carrier else "Organization",
            target_id=level.id,
            carrier_id=level.id if level.carrier else None,
            organization_id=level.organization_id,
            before={"ownerName": level.name, **snapshot(before)},
            after={"ownerName": level.name, **snapshot(after)},
            reason=level.reason,
        )
    )
    return after


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
