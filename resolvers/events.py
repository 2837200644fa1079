"""The activity row of a change to a carrier, an organization or a feature: the object it targets, the
carrier and organization it is recorded under (who may read it: db/activity.py, IN_SCOPE), and the
object's state before and after it (resolvers/snapshots.py). Give `before` for a change of what was
there, `after` for what is there now; a creation has no before, a deletion no after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from db.activity import Event
from db.carriers import CarrierRow
from db.features import FeatureRow
from db.organizations import OrganizationRow
from resolvers import snapshots
from resolvers.changes import EffectiveChange, summary

R = TypeVar("R")


def carrier(action: str, *, before: CarrierRow | None = None, after: CarrierRow | None = None) -> Event:
    """Recorded under the carrier and its organization (a rename keeps it; attach, move and detach write
    their own row: resolvers/membership.py)."""
    row = _target(before, after)
    return Event(
        action=action,
        target_type="Carrier",
        target_id=row.id,
        carrier_id=row.id,
        organization_id=row.organization_id,
        before=_kept(snapshots.carrier, before),
        after=_kept(snapshots.carrier, after),
    )


def organization(
    action: str, *, before: OrganizationRow | None = None, after: OrganizationRow | None = None
) -> Event:
    """Recorded under the organization itself: its administrators read it, and staff."""
    row = _target(before, after)
    return Event(
        action=action,
        target_type="Organization",
        target_id=row.id,
        organization_id=row.id,
        before=_kept(snapshots.organization, before),
        after=_kept(snapshots.organization, after),
    )


def feature(
    action: str,
    *,
    before: FeatureRow | None = None,
    after: FeatureRow | None = None,
    changes: list[EffectiveChange] | None = None,
) -> Event:
    """Under no carrier or organization: the catalogue is the vendor's. With the effective values the
    change moved (a new default reaches every carrier that inherits it)."""
    row = _target(before, after)
    kept_after = _kept(snapshots.feature, after)
    if kept_after is not None and changes is not None:
        kept_after["effectiveChanges"] = summary(changes)
    return Event(
        action=action,
        target_type="Feature",
        target_id=row.id,
        before=_kept(snapshots.feature, before),
        after=kept_after,
    )


def _target(before: R | None, after: R | None) -> R:
    row = after if after is not None else before
    assert row is not None, "an event needs the object before or after the change"
    return row


def _kept(snapshot: Callable[[R], dict[str, Any]], row: R | None) -> dict[str, Any] | None:
    return snapshot(row) if row is not None else None
