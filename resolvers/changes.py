"""What a change did to effective feature values: compared before and after, inside its transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from db.enablements import Effective, Source
from resolvers.global_ids import to_global_id


@dataclass(frozen=True, slots=True)
class EffectiveChange:
    carrier_id: uuid.UUID
    feature_id: uuid.UUID
    before: bool
    after: bool
    source: Source


def diff(before: Effective, after: Effective) -> list[EffectiveChange]:
    changes = []
    for pair, (value, source) in sorted(after.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        previous = before.get(pair)
        if previous is not None and previous[0] != value:
            changes.append(EffectiveChange(pair[0], pair[1], previous[0], value, source))
    return changes


def summary(changes: list[EffectiveChange]) -> list[dict[str, object]]:
    """The changes as the activity log records them."""
    return [
        {
            "carrierId": to_global_id("Carrier", c.carrier_id),
            "featureId": to_global_id("Feature", c.feature_id),
            "before": c.before,
            "after": c.after,
        }
        for c in changes
    ]
