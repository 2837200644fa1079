"""The activity row of a change to a carrier, an organization or a feature: the object it targets, the
carrier and organization it is recorded under (who may read it: db/activity.py, IN_SCOPE), and the
object's state before and after it (resolvers/snapshots.py). Give `before` for a change of what was
there, `after` for what is there now; a creation has no before, a deletion no after."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from db.activity import Event
from db.carriers import CarrierRow
from db.features import FeatureRow
from db.organizations import OrganizationRow
from resolvers import snapshots
from resolvers.changes import EffectiveChange, summary


class Identified(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


R = TypeVar("R", bound=Identified)


def carrier(action: str, *, before: CarrierRow | None = None, after: CarrierRow | None = None) -> Event:
    """Under the carrier and its organization (a rename keeps it; attach, move and detach write their own
    row: resolvers/membership.py)."""
    row = _target(before, after)
    return _event(
        action,
        "Carrier",
        snapshots.carrier,
        before,
        after,
        carrier_id=row.id,
        organization_id=row.organization_id,
    )


def organization(
    action: str, *, before: OrganizationRow | None = None, after: OrganizationRow | None = None
) -> Event:
    """Under the organization itself: its administrators read it, and staff."""
    row = _target(before, after)
    return _event(action, "Organization", snapshots.organization, before, after, organization_id=row.id)


def feature(
    action: str,
    *,
    before: FeatureRow | None = None,
    after: FeatureRow | None = None,
    changes: list[EffectiveChange] | None = None,
) -> Event:
    """Under no carrier or organization (the catalogue is the vendor's), with the effective values the
    change moved: a new default reaches every carrier that inherits it."""
    event = _event(action, "Feature", snapshots.feature, before, after)
    if event.after is None or changes is None:
        return event
    return dataclasses.replace(event, after={**event.after, "effectiveChanges": summary(changes)})


def _event(
    action: str,
    target_type: str,
    snapshot: Callable[[R], dict[str, Any]],
    before: R | None,
    after: R | None,
    *,
    carrier_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> Event:
    return Event(
        action=action,
        target_type=target_type,
        target_id=_target(before, after).id,
        carrier_id=carrier_id,
        organization_id=organization_id,
        before=snapshot(before) if before is not None else None,
        after=snapshot(after) if after is not None else None,
    )


def _target(before: R | None, after: R | None) -> R:
    row = after if after is not None else before
    assert row is not None, "an event needs the object before or after the change"
    return row
