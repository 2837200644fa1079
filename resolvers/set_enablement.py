"""setCarrierEnablement and setOrganizationEnablement: switch a feature at one level, with a reason.

Both levels go through one flow; a `Level` says what differs (which row is locked, which table holds
the setting, which carriers can feel it). An organization's setting never touches a carrier's
explicit override: only carriers that inherit follow it, and the payload lists exactly those whose
effective value changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from context import Context
from db import carriers, enablements, features, organizations
from db.activity import Event
from db.enablements import Actor, Effective, EnablementState, OwnSettings
from db.features import FeatureRow
from db.pool import Connection
from resolvers import snapshots, validation
from resolvers.changes import EffectiveChange, diff, summary
from resolvers.errors import BadUserInput

SETTINGS = {EnablementState.ENABLED: True, EnablementState.DISABLED: False, EnablementState.INHERIT: None}


@dataclass(frozen=True, slots=True)
class EnablementSet:
    owner_id: uuid.UUID
    feature: FeatureRow
    changes: list[EffectiveChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Level:
    type_name: str  # "Carrier" or "Organization"
    field: str  # the input field naming the owner
    action: str
    # The owner, locked for the change; None when it does not exist. Returns (its name as the activity
    # log records it, its organization).
    lock: Callable[[Connection, uuid.UUID], Awaitable[tuple[str, uuid.UUID | None] | None]]
    # Effective values of the feature for the carriers this level reaches.
    effective: Callable[[Connection, uuid.UUID, uuid.UUID], Awaitable[Effective]]
    # Where this level keeps its own settings.
    settings: OwnSettings


async def _lock_carrier(conn: Connection, owner: uuid.UUID) -> tuple[str, uuid.UUID | None] | None:
    row = await carriers.lock(conn, carrier_id=owner)
    return (snapshots.carrier_name(row), row.organization_id) if row else None


async def _lock_organization(conn: Connection, owner: uuid.UUID) -> tuple[str, uuid.UUID | None] | None:
    row = await organizations.lock(conn, organization_id=owner)
    return (row.name, row.id) if row else None


CARRIER = Level(
    type_name="Carrier",
    field="carrierId",
    action="enablement.setForCarrier",
    lock=_lock_carrier,
    effective=lambda conn, owner, feature: enablements.effective(
        conn, carrier_ids=[owner], feature_id=feature
    ),
    settings=enablements.CARRIER_SETTINGS,
)
ORGANIZATION = Level(
    type_name="Organization",
    field="organizationId",
    action="enablement.setForOrganization",
    lock=_lock_organization,
    effective=lambda conn, owner, feature: enablements.effective(
        conn, organization_id=owner, feature_id=feature
    ),
    settings=enablements.ORGANIZATION_SETTINGS,
)


async def set_carrier_enablement(
    context: Context, *, carrier_id: str, feature_key: str, state: EnablementState, reason: str
) -> EnablementSet:
    return await set_enablement(context, CARRIER, carrier_id, feature_key, state, reason)


async def set_organization_enablement(
    context: Context, *, organization_id: str, feature_key: str, state: EnablementState, reason: str
) -> EnablementSet:
    return await set_enablement(context, ORGANIZATION, organization_id, feature_key, state, reason)


async def set_enablement(  # noqa: PLR0917 - the two public functions above name every argument
    context: Context, level: Level, owner_id: str, feature_key: str, state: EnablementState, reason: str
) -> EnablementSet:
    owner = validation.object_id(owner_id, type_name=level.type_name, field=level.field)
    key = validation.feature_key(feature_key)
    reason = validation.text(reason, field="reason", label="A reason", max_length=500, multiline=True)
    setting = SETTINGS[state]
    async with context.changing() as change:
        conn = change.conn
        locked = await level.lock(conn, owner)
        if locked is None:
            raise validation.not_found(level.type_name, owner_id, level.field)
        owner_name, organization_id = locked
        feature = await _feature(conn, key)
        previous = await enablements.own_setting(conn, level.settings, owner_id=owner, feature_id=feature.id)
        if previous == setting:
            change.unchanged()  # already so
            return EnablementSet(owner, feature)
        before = await level.effective(conn, owner, feature.id)
        naming = {"feature": key, "featureName": feature.name, "ownerName": owner_name}
        actor = Actor(*context.principal.audit_fields())
        await enablements.set_own(
            conn, level.settings, owner_id=owner, feature_id=feature.id, enabled=setting, actor=actor
        )
        changes = diff(before, await level.effective(conn, owner, feature.id))
        await change.record(
            Event(
                action=level.action,
                target_type=level.type_name,
                target_id=owner,
                carrier_id=owner if level is CARRIER else None,
                organization_id=organization_id,
                # The feature and the owner named as they are called now: the log outlives renames.
                before={**naming, "state": EnablementState.from_setting(previous).value},
                after={**naming, "state": state.value, "effectiveChanges": summary(changes)},
                reason=reason,
            ),
        )
    return EnablementSet(owner, feature, changes)


async def _feature(conn: Connection, key: str) -> FeatureRow:
    found = (await features.by_keys(conn, keys=[key])).get(key)
    if found is None:
        raise BadUserInput(f"There is no feature {key!r} in the catalogue.", field="featureKey")
    return found
