"""updateFeature: change a catalogue entry; a new default reaches every carrier that inherits it."""

from __future__ import annotations

from dataclasses import dataclass, field

from context import Context
from db import enablements as enablement_rows
from db import features
from db.features import FeatureRow
from resolvers import events, validation
from resolvers.changes import EffectiveChange, diff
from resolvers.errors import stale


@dataclass(frozen=True, slots=True)
class FeatureUpdated:
    feature: FeatureRow
    changes: list[EffectiveChange] = field(default_factory=list)


async def update_feature(
    context: Context,
    *,
    feature_id: str,
    name: str | None,
    description: str | None,
    default_enabled: bool | None,
    expected_version: int | None,
) -> FeatureUpdated:
    named = validation.named(feature_id, type_name="Feature", version=expected_version)
    if name is not None:
        name = validation.text(name, field="name", label="A feature's name")
    if description is not None:
        description = validation.feature_description(description)
    async with context.changing() as change:
        conn = change.conn
        current = await named.found(features.by_id(conn, feature_id=named.id))
        if (
            name in (None, current.name)
            and description in (None, current.description)
            and default_enabled in (None, current.default_enabled)
        ):
            change.unchanged()
            return FeatureUpdated(current)
        before = await enablement_rows.effective(conn, feature_id=named.id)
        updated = await features.update(
            conn,
            feature_id=named.id,
            name=name,
            description=description,
            default_enabled=default_enabled,
            expected_version=current.version,
        )
        if updated is None:  # changed between the read and the update
            latest = (await features.by_ids(conn, ids=[named.id]))[named.id]
            raise stale("feature", latest.version)
        changes = diff(before, await enablement_rows.effective(conn, feature_id=named.id))
        await change.record(events.feature("feature.update", before=current, after=updated, changes=changes))
    return FeatureUpdated(updated, changes)
