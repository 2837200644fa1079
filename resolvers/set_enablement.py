"""setCarrierEnablement and setOrganizationEnablement: switch a feature at one level, with a reason.

An organization's setting never touches a carrier's explicit override: only carriers that inherit
follow it, and the payload lists exactly those whose effective value changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from db import activity, carriers, enablements, features, organizations
from db.activity import Event
from db.enablements import Actor
from db.features import FeatureRow
from db.pool import Connection
from resolvers import validation
from resolvers.changes import EffectiveChange, diff, origin, summary
from resolvers.failures import InvalidFailure
from schema.context import Context
from schema.enums import EnablementState


@dataclass(frozen=True, slots=True)
class EnablementSet:
    owner_id: uuid.UUID
    feature: FeatureRow
    changes: list[EffectiveChange] = field(default_factory=list)


def _setting(state: EnablementState) -> bool | None:
    return {EnablementState.ENABLED: True, EnablementState.DISABLED: False, EnablementState.INHERIT: None}[
        state
    ]


async def _feature(conn: Connection, key: str) -> FeatureRow:
    found = (await features.by_keys(conn, keys=[key])).get(key)
    if found is None:
        raise InvalidFailure(f"There is no feature {key!r} in the catalogue.", field="featureKey")
    return found


def _actor(context: Context) -> Actor:
    return Actor(*context.principal.audit_fields())


async def set_carrier_enablement(
    context: Context, *, carrier_id: str, feature_key: str, state: EnablementState, reason: str
) -> EnablementSet:
    raw_id = validation.object_id(carrier_id, type_name="Carrier", field="carrierId")
    key = validation.feature_key(feature_key)
    reason = validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)
    async with context.db.acquire() as conn, conn.transaction():
        carrier = await carriers.lock(conn, carrier_id=raw_id)
        if carrier is None:
            raise validation.not_found("Carrier", carrier_id, "carrierId")
        feature = await _feature(conn, key)
        before = await enablements.effective(conn, carrier_ids=[raw_id], feature_id=feature.id)
        previous = await enablements.own_setting(conn, carrier_id=raw_id, feature_id=feature.id)
        if previous == _setting(state):
            return EnablementSet(raw_id, feature)
        await enablements.set_for_carrier(
            conn, carrier_id=raw_id, feature_id=feature.id, enabled=_setting(state), actor=_actor(context)
        )
        changes = diff(before, await enablements.effective(conn, carrier_ids=[raw_id], feature_id=feature.id))
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action="enablement.setForCarrier",
                target_type="Carrier",
                target_id=raw_id,
                carrier_id=raw_id,
                organization_id=carrier.organization_id,
                before={"feature": key, "state": EnablementState.from_setting(previous).value},
                after={"feature": key, "state": state.value, "effectiveChanges": summary(changes)},
                reason=reason,
            ),
        )
    return EnablementSet(raw_id, feature, changes)


async def set_organization_enablement(
    context: Context, *, organization_id: str, feature_key: str, state: EnablementState, reason: str
) -> EnablementSet:
    raw_id = validation.object_id(organization_id, type_name="Organization", field="organizationId")
    key = validation.feature_key(feature_key)
    reason = validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)
    async with context.db.acquire() as conn, conn.transaction():
        organization = await organizations.lock(conn, organization_id=raw_id)
        if organization is None:
            raise validation.not_found("Organization", organization_id, "organizationId")
        feature = await _feature(conn, key)
        before = await enablements.effective(conn, organization_id=raw_id, feature_id=feature.id)
        previous = await enablements.own_setting(conn, organization_id=raw_id, feature_id=feature.id)
        if previous == _setting(state):
            return EnablementSet(raw_id, feature)
        await enablements.set_for_organization(
            conn,
            organization_id=raw_id,
            feature_id=feature.id,
            enabled=_setting(state),
            actor=_actor(context),
        )
        changes = diff(
            before, await enablements.effective(conn, organization_id=raw_id, feature_id=feature.id)
        )
        await activity.record(
            conn,
            origin=origin(context),
            event=Event(
                action="enablement.setForOrganization",
                target_type="Organization",
                target_id=raw_id,
                organization_id=raw_id,
                before={"feature": key, "state": EnablementState.from_setting(previous).value},
                after={"feature": key, "state": state.value, "effectiveChanges": summary(changes)},
                reason=reason,
            ),
        )
    return EnablementSet(raw_id, feature, changes)
