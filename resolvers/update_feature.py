"""updateFeature: change a catalogue entry; a new default reaches every carrier that inherits it."""

from __future__ import annotations

from dataclasses import dataclass, field

from context import Context
from db import enablements as enablement_rows
from db import features
from db.activity import Event
from db.features import FeatureRow
from resolvers import snapshots, validation
from resolvers.changes import EffectiveChange, diff, summary
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
    raw_id = validation.object_id(feature_id, type_name="Feature", field="id")
    if name is not None:
        name = validation.text(name, field="name", label="A feature's name")
    if description is not None:
        description = validation.text(
            description,
            field="description",
            label="A description",
            max_length=2000,
            required=False,
            multiline=True,
        )
    version = validation.expected_version(expected_version)
    async with context.changing() as change:
        conn = change.conn
        current = (await features.by_ids(conn, ids=[raw_id])).get(raw_id)
        if current is None:
            raise validation.not_found("Feature", feature_id, "id")
        if version is not None and current.version != version:
            raise stale("feature", current.version)
        if (
            name in (None, current.name)
            and description in (None, current.description)
            and default_enabled in (None, current.default_enabled)
        ):
            change.unchanged()
            return FeatureUpdated(current)
        before = await enablement_rows.effective(conn, feature_id=raw_id)
        updated = await features.update(
            conn,
            feature_id=raw_id,
            name=name,
            description=description,
            default_enabled=default_enabled,
            expected_version=current.version,
        )
        if updated is None:  # changed between the read and the update
            latest = (await features.by_ids(conn, ids=[raw_id]))[raw_id]
            raise stale("feature", latest.version)
        changes = diff(before, await enablement_rows.effective(conn, feature_id=raw_id))
        await change.record(
            Event(
                action="feature.update",
                target_type="Feature",
                target_id=raw_id,
                before=snapshots.feature(current),
                after={**snapshots.feature(updated), "effectiveChanges": summary(changes)},
            ),
        )
    return FeatureUpdated(updated, changes)
